package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// privacy report on the discovery corpus: --json names the personal
// columns (snake_case keys, ISO dates) and holds none of the corpus's
// values; without --json it prints the Markdown record; --out writes
// Markdown or HTML and refuses another kind of file before any work.
func TestPrivacyReportCommand(t *testing.T) {
	dir := t.TempDir()
	proj := filepath.Join(dir, "p.mbproj")
	ok(t, "init", proj)
	corpus := "../../storage/privacy/testdata/pii_corpus.csv"
	ok(t, "-p", proj, "import", corpus, "--table", "people")
	out := ok(t, "-p", proj, "--json", "privacy", "report")
	checkJSONStyle(t, "privacy report", out)
	var rec struct {
		Project      string `json:"project"`
		GeneratedAt  string `json:"generated_at"`
		PersonalData []struct {
			Table   string `json:"table"`
			Rows    int64  `json:"rows"`
			Columns []struct {
				Column string   `json:"column"`
				Kinds  []string `json:"kinds"`
			} `json:"columns"`
		} `json:"personal_data"`
		Campaigns []any `json:"campaigns"`
		Security  struct {
			Sealed      bool     `json:"sealed"`
			Credentials []string `json:"credentials"`
		} `json:"security"`
	}
	if err := json.Unmarshal([]byte(out), &rec); err != nil {
		t.Fatal(err)
	}
	if rec.Project != "p.mbproj" || len(rec.PersonalData) != 1 || rec.PersonalData[0].Rows != 40 || len(rec.PersonalData[0].Columns) != 12 ||
		rec.Campaigns == nil || rec.Security.Sealed {
		t.Errorf("%s", out)
	}
	// Not one value of the corpus's personal columns is in the record.
	b, _ := os.ReadFile(corpus)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	header := strings.Split(lines[0], ",")
	personal := map[int]bool{}
	for _, c := range rec.PersonalData[0].Columns {
		for i, h := range header {
			if h == c.Column {
				personal[i] = true
			}
		}
	}
	md := ok(t, "-p", proj, "privacy", "report")
	for _, line := range lines[1:] {
		for i, v := range strings.Split(line, ",") {
			if v = strings.Trim(v, `" `); personal[i] && len(v) > 3 && (strings.Contains(out, v) || strings.Contains(md, v)) {
				t.Errorf("the record holds %q (column %s)", v, header[i])
			}
		}
	}
	if !strings.HasPrefix(md, "# Record of processing: p.mbproj\n") || !strings.Contains(md, "## Personal data") || !strings.Contains(md, "| people | 40 |") {
		t.Errorf("the readable record:\n%s", md)
	}
	for _, name := range []string{"record.md", "record.html"} {
		if o := ok(t, "-p", proj, "privacy", "report", "--out", filepath.Join(dir, name)); !strings.Contains(o, "Saved the record of processing") {
			t.Errorf("%s: %q", name, o)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "record.html")); !strings.HasPrefix(string(b), "<!DOCTYPE html>") || !strings.Contains(string(b), "<td>people</td>") {
		t.Errorf("record.html: %.300s", b)
	}
	if _, errs, code := run(t, "-p", proj, "privacy", "report", "--out", filepath.Join(dir, "record.pdf")); code == 0 || !strings.Contains(errs, "save the record as .md (Markdown) or .html") {
		t.Errorf("a .pdf: %d %q", code, errs)
	}
}
