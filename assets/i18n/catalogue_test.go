package i18n

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// root is the repository root, two levels above this package.
const root = "../.."

// skipDir: the SDK and the plugins are separate programs that speak English
// to developers (plugins/host is not: it is the app's side, and tells people
// what went wrong with a plugin); testdata holds fixtures.
func skipDir(rel string) bool {
	rel = filepath.ToSlash(rel)
	base := filepath.Base(rel)
	// Plugins are not translated; the host and the scaffold are the app's.
	app := func(dir string) bool { return rel == dir || strings.HasPrefix(rel, dir+"/") }
	plugin := strings.HasPrefix(rel, "plugins/") && !app("plugins/host") && !app("plugins/scaffold")
	return base == "testdata" || base == ".git" || strings.HasPrefix(base, ".") && rel != "." ||
		rel == "sdk" || plugin || rel == "docs"
}

type goFile struct {
	rel  string
	fset *token.FileSet
	file *ast.File
}

func parseRepo(t *testing.T) []goFile {
	t.Helper()
	var files []goFile
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if d.IsDir() {
			if skipDir(rel) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, p, nil, parser.ParseComments)
		if err != nil {
			return err
		}
		files = append(files, goFile{rel: filepath.ToSlash(rel), fset: fset, file: f})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// literal returns the value of a string literal or a + of literals.
func literal(e ast.Expr) (string, bool) {
	switch x := e.(type) {
	case *ast.BasicLit:
		if x.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(x.Value)
		return s, err == nil
	case *ast.BinaryExpr:
		if x.Op != token.ADD {
			return "", false
		}
		a, ok1 := literal(x.X)
		b, ok2 := literal(x.Y)
		return a + b, ok1 && ok2
	case *ast.ParenExpr:
		return literal(x.X)
	}
	return "", false
}

// isI18n reports a call of i18n.<one of names>.
func isI18n(call *ast.CallExpr, names ...string) bool {
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	id, ok := sel.X.(*ast.Ident)
	return ok && id.Name == "i18n" && slices.Contains(names, sel.Sel.Name)
}

// msgImport is the package in which analytics, which cannot import this
// one, keeps its sentences as formats to translate later.
const msgImport = "github.com/marketbench/marketbench/analytics/msg"

// msgName returns the name under which f imports analytics/msg, or "".
func msgName(f goFile) string {
	for _, im := range f.file.Imports {
		if p, _ := strconv.Unquote(im.Path.Value); p == msgImport {
			if im.Name != nil {
				return im.Name.Name
			}
			return "msg"
		}
	}
	return ""
}

// isMsg reports a call of msg.New or msg.Errorf (analytics' messages),
// with pkg the name f imports analytics/msg under.
func isMsg(call *ast.CallExpr, pkg string) bool {
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok || pkg == "" {
		return false
	}
	id, ok := sel.X.(*ast.Ident)
	return ok && id.Name == pkg && (sel.Sel.Name == "New" || sel.Sel.Name == "Errorf")
}

// keysInCode returns every literal passed to i18n.T, i18n.Errorf and
// i18n.Mark, and every format given to analytics' msg.New and msg.Errorf,
// with where it is, and every other string literal in the code. A msg
// format that is not a literal fails the test: the catalogue could not be
// checked for it.
func keysInCode(t *testing.T) (keys map[string]string, literals map[string]bool) {
	keys, literals = map[string]string{}, map[string]bool{}
	for _, f := range parseRepo(t) {
		pkg := msgName(f)
		ast.Inspect(f.file, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.CallExpr:
				if isI18n(x, "T", "Errorf", "Mark") && len(x.Args) > 0 {
					if s, ok := literal(x.Args[0]); ok {
						keys[s] = f.fset.Position(x.Pos()).String()
					}
				}
				if isMsg(x, pkg) && len(x.Args) > 0 {
					if s, ok := literal(x.Args[0]); ok {
						keys[s] = f.fset.Position(x.Pos()).String()
					} else {
						t.Errorf("%s: the format of an analytics message must be a string literal, so that the catalogue check sees it",
							f.fset.Position(x.Pos()))
					}
				}
			case *ast.BasicLit:
				if s, ok := literal(x); ok {
					literals[s] = true
				}
			}
			return true
		})
	}
	return keys, literals
}

var verbRE = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*(\d+|\*)?(\.(\d+|\*))?[a-zA-Z%]`)

// verbs lists a format's verbs without indexes, sorted: "%[2]s %d" → [%d %s].
func verbs(s string) []string {
	var out []string
	for _, v := range verbRE.FindAllString(s, -1) {
		if v == "%%" {
			continue
		}
		out = append(out, regexp.MustCompile(`\[\d+\]`).ReplaceAllString(v, ""))
	}
	sort.Strings(out)
	return out
}

// Every text the code sends through the catalogue (and every format of
// analytics' messages, which the app translates when it shows them) has a
// Chinese translation with the same printf verbs, and the catalogue holds nothing
// the code no longer says.
func TestCatalogueCoversCode(t *testing.T) {
	if err := LoadError(); err != nil {
		t.Fatal(err)
	}
	zh, err := Catalogue(Chinese)
	if err != nil {
		t.Fatal(err)
	}
	keys, literals := keysInCode(t)
	var missing []string
	for k, at := range keys {
		tr, ok := zh[k]
		switch {
		case !ok || strings.TrimSpace(tr) == "":
			missing = append(missing, at+": "+strconv.Quote(k))
		case !slices.Equal(verbs(k), verbs(tr)):
			t.Errorf("%s: %q is translated as %q, with other verbs (%v, %v)", at, k, tr, verbs(k), verbs(tr))
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("%d texts have no Chinese translation in assets/i18n/zh-Hans:\n%s", len(missing), strings.Join(missing, "\n"))
	}
	var stale []string
	for k := range zh {
		if _, ok := keys[k]; !ok && !literals[k] {
			stale = append(stale, strconv.Quote(k))
		}
	}
	sort.Strings(stale)
	if len(stale) > 0 {
		t.Errorf("%d catalogue entries are not in the code any more; remove them:\n%s", len(stale), strings.Join(stale, "\n"))
	}
}

// widgetCalls are the Fyne constructors and setters whose string arguments a
// person reads.
var (
	readPackages = []string{"widget", "dialog", "container", "fyne"}
	readMethods  = []string{"SetText", "SetTitle", "SetPlaceHolder", "SetPlaceholder", "SetSubTitle", "Append", "SetOptions", "ShowInformation"}
	readFields   = []string{"Text", "PlaceHolder", "Title", "Subtitle", "Label", "Placeholder", "Options", "HintText", "Message", "Confirm", "Dismiss"}
)

// hasLetter reports text a person would read (not "", "—" or "12").
func hasLetter(s string) bool { return strings.IndexFunc(s, unicode.IsLetter) >= 0 }

// bypasses lists string literals with letters in e that are not inside a
// call to the catalogue. Function literals are skipped: their strings are
// checked where they reach a widget.
func bypasses(e ast.Expr) []string {
	var out []string
	ast.Inspect(e, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.CallExpr:
			if isI18n(x, "T", "Error", "Errorf", "Mark", "Number", "Compact", "Money", "Date", "DateTime", "Percent") {
				return false
			}
		case *ast.IndexExpr:
			ast.Inspect(x.X, func(m ast.Node) bool { return true })
			return false
		case *ast.BasicLit:
			if s, ok := literal(x); ok && hasLetter(s) {
				out = append(out, s)
			}
		}
		return true
	})
	return out
}

// keep reports a line marked as deliberately untranslated ("i18n:keep",
// e.g. the product's name).
func keep(f goFile, n ast.Node) bool {
	line := f.fset.Position(n.Pos()).Line
	for _, cg := range f.file.Comments {
		if f.fset.Position(cg.Pos()).Line == line && strings.Contains(cg.Text(), "i18n:keep") {
			return true
		}
	}
	return false
}

// No text a person reads in the GUI bypasses the catalogue: string literals
// given to Fyne's widget, dialog and container constructors, to setters
// such as SetText, or to fields such as Text in widget literals must go
// through i18n.T.
func TestGUITextGoesThroughCatalogue(t *testing.T) {
	var bad []string
	report := func(f goFile, n ast.Node, e ast.Expr) {
		if keep(f, n) {
			return
		}
		for _, s := range bypasses(e) {
			bad = append(bad, f.fset.Position(e.Pos()).String()+": "+strconv.Quote(s))
		}
	}
	for _, f := range parseRepo(t) {
		if !strings.HasPrefix(f.rel, "app/ui/") {
			continue
		}
		ast.Inspect(f.file, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.CallExpr:
				sel, ok := x.Fun.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				pkg, isPkg := sel.X.(*ast.Ident)
				if (isPkg && slices.Contains(readPackages, pkg.Name)) || slices.Contains(readMethods, sel.Sel.Name) {
					for _, a := range x.Args {
						report(f, x, a)
					}
				}
			case *ast.KeyValueExpr:
				if k, ok := x.Key.(*ast.Ident); ok && slices.Contains(readFields, k.Name) {
					report(f, x, x.Value)
				}
			case *ast.AssignStmt:
				for i, l := range x.Lhs {
					if sel, ok := l.(*ast.SelectorExpr); ok && slices.Contains(readFields, sel.Sel.Name) && i < len(x.Rhs) {
						report(f, x, x.Rhs[i])
					}
				}
			}
			return true
		})
	}
	sort.Strings(bad)
	if len(bad) > 0 {
		t.Errorf("%d texts in app/ui bypass the catalogue (wrap them in i18n.T):\n%s", len(bad), strings.Join(bad, "\n"))
	}
}
