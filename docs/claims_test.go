// Package docs_test keeps docs/CLAIMS.md honest: every claim it lists must
// still be written, word for word, in the document it cites, and every
// test it names must exist. `make claims` also lists the sentences of the
// README's feature list that no ledger row covers yet.
package docs_test

import (
	"bufio"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// claim is one ledger row: a quote from a document and the tests proving it.
type claim struct {
	doc, quote string
	tests      []string // "pkg/dir TestName"
	line       int
}

var rowRE = regexp.MustCompile("^\\|\\s*`([^`]+)`\\s*\\|(.*)\\|\\s*$")

func readLedger(t *testing.T) []claim {
	t.Helper()
	f, err := os.Open("CLAIMS.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []claim
	doc := ""
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if d, ok := strings.CutPrefix(line, "## "); ok {
			doc = strings.TrimSpace(d)
			continue
		}
		m := rowRE.FindStringSubmatch(line)
		if m == nil {
			if strings.HasPrefix(line, "| `") {
				t.Errorf("CLAIMS.md:%d: not a ledger row (a quote may not hold a backtick): %s", n, line)
			}
			continue
		}
		c := claim{doc: doc, quote: m[1], line: n}
		for _, ref := range strings.Split(m[2], ";") {
			if ref = strings.Trim(strings.TrimSpace(ref), "`"); ref != "" {
				c.tests = append(c.tests, ref)
			}
		}
		out = append(out, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// normalised joins a document's lines and collapses white space, so a quote
// may span a line break.
func normalised(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", path))
	if err != nil {
		t.Fatalf("the ledger cites %s: %v", path, err)
	}
	return strings.Join(strings.Fields(string(b)), " ")
}

// testsIn lists the Test, Benchmark and Fuzz functions of a package folder.
func testsIn(t *testing.T, dir string, cache map[string]map[string]bool) map[string]bool {
	if m, ok := cache[dir]; ok {
		return m
	}
	m := map[string]bool{}
	files, _ := filepath.Glob(filepath.Join("..", dir, "*_test.go"))
	for _, path := range files {
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			if fn, ok := d.(*ast.FuncDecl); ok && fn.Recv == nil {
				m[fn.Name.Name] = true
			}
		}
	}
	cache[dir] = m
	return m
}

func TestLedgerQuotesAndTestsExist(t *testing.T) {
	claims := readLedger(t)
	if len(claims) < 50 {
		t.Fatalf("the ledger lists only %d claims", len(claims))
	}
	docs := map[string]string{}
	cache := map[string]map[string]bool{}
	for _, c := range claims {
		if _, ok := docs[c.doc]; !ok {
			docs[c.doc] = normalised(t, c.doc)
		}
		if !strings.Contains(docs[c.doc], strings.Join(strings.Fields(c.quote), " ")) {
			t.Errorf("CLAIMS.md:%d: %s no longer says %q; reword the ledger or the doc", c.line, c.doc, c.quote)
		}
		if len(c.tests) == 0 {
			t.Errorf("CLAIMS.md:%d: %q names no test", c.line, c.quote)
		}
		for _, ref := range c.tests {
			dir, name, ok := strings.Cut(ref, " ")
			name, _, _ = strings.Cut(strings.TrimSpace(name), "/") // a subtest: its parent must exist
			if !ok || !regexp.MustCompile(`^(Test|Benchmark|Fuzz)\w*$`).MatchString(name) {
				t.Errorf("CLAIMS.md:%d: %q is not \"package/dir TestName\"", c.line, ref)
				continue
			}
			if !testsIn(t, dir, cache)[name] {
				t.Errorf("CLAIMS.md:%d: no test %s in %s", c.line, name, dir)
			}
		}
	}
}

// TestLedgerCoverage lists the README's feature sentences that no ledger
// quote falls in (run by `make claims`; it reports, it does not fail, so a
// new sentence is a prompt to add its row, not a broken build).
func TestLedgerCoverage(t *testing.T) {
	if os.Getenv("CLAIMS_REPORT") == "" {
		t.Skip("set CLAIMS_REPORT=1 (make claims) to list README sentences not in the ledger")
	}
	var quotes []string
	for _, c := range readLedger(t) {
		if c.doc == "README.md" {
			quotes = append(quotes, strings.Join(strings.Fields(c.quote), " "))
		}
	}
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	missing := 0
	sentences := featureSentences(string(b))
	if len(sentences) < 40 {
		t.Errorf("found only %d sentences under \"What works today\": has the README's layout changed?", len(sentences))
	}
	for _, sentence := range sentences {
		covered := false
		for _, q := range quotes {
			// A quote inside the sentence, or a short sentence (a fragment
			// between semicolons) inside a longer quote.
			if strings.Contains(sentence, q) || strings.Contains(q, sentence) {
				covered = true
				break
			}
		}
		if !covered {
			missing++
			t.Logf("not in the ledger: %s", sentence)
		}
	}
	t.Logf("%d of %d README feature sentences are not in the ledger", missing, len(sentences))
}

// featureSentences splits the README's "What works today" bullets into
// sentences (and clauses between semicolons and colons), with links as
// their text. A bullet ends at a blank line; images and bold labels such as
// "**Text** ([docs/TEXT.md](…)):" are not claims.
func featureSentences(readme string) []string {
	start := strings.Index(readme, "## What works today")
	if start < 0 {
		return nil
	}
	rest := readme[start+3:]
	if end := strings.Index(rest, "\n## "); end >= 0 {
		rest = rest[:end]
	}
	link := regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`)
	label := regexp.MustCompile(`^\*\*[^*]+\*\*( \([^()]*\))?(: |$)`)
	var out []string
	for _, bullet := range strings.Split(rest, "\n- ") {
		bullet, _, _ = strings.Cut(bullet, "\n\n")
		if strings.HasPrefix(bullet, "![") {
			continue
		}
		text := strings.Join(strings.Fields(bullet), " ")
		text = label.ReplaceAllString(link.ReplaceAllString(text, "$1"), "")
		for _, s := range regexp.MustCompile(`[.;:] `).Split(text, -1) {
			if s = strings.TrimSpace(s); len(s) <= 20 {
				continue
			}
			out = append(out, s)
		}
	}
	return out
}

// TestLedgerCoversEveryDoc: every user-facing document has its section in
// the ledger, so a new doc cannot go unreviewed.
func TestLedgerCoversEveryDoc(t *testing.T) {
	sections := map[string]int{}
	for _, c := range readLedger(t) {
		sections[c.doc]++
	}
	docs, _ := filepath.Glob("*.md")
	for i, d := range docs {
		docs[i] = "docs/" + d
	}
	docs = append(docs, "README.md", "sdk/README.md")
	for _, d := range docs {
		switch d {
		case "docs/CLAIMS.md", "docs/PLUGINS-DESIGN.md": // the ledger itself; the design, not the product
			continue
		}
		if sections[d] == 0 {
			t.Errorf("docs/CLAIMS.md has no claims of %s: add a section \"## %s\" with its claims and their tests", d, d)
		}
	}
}
