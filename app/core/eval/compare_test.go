package eval

import (
	"strings"
	"testing"
	"time"

	"github.com/marketbench/marketbench/storage"
)

func result(cols []string, rows ...[]string) *storage.Result {
	return &storage.Result{Columns: cols, Rows: rows}
}

func TestCompare(t *testing.T) {
	byChannel := result([]string{"channel", "n"}, []string{"web", "3"}, []string{"app", "2"}, []string{"store", "2"})
	cases := []struct {
		name    string
		want    *storage.Result
		got     [][]any
		cols    int
		ordered bool
		ok      bool
		reason  string
	}{
		{"scalar as int", result([]string{"count_star()"}, []string{"20000"}), [][]any{{int64(20000)}}, 1, false, true, ""},
		{"scalar within tolerance", result([]string{"s"}, []string{"6685692.610010876"}), [][]any{{6685692.61}}, 1, false, true, ""},
		{"scalar outside tolerance", result([]string{"s"}, []string{"33.428463050132876"}), [][]any{{"33.43"}}, 1, false, false, "the answer is (33.43), expected (33.42846305)"},
		{"zero", result([]string{"s"}, []string{"0"}), [][]any{{0.0}}, 1, false, true, ""},
		{"rows in another order", byChannel, [][]any{{"app", 2}, {"store", 2}, {"web", 3}}, 2, false, true, ""},
		{"columns swapped and renamed", byChannel, [][]any{{2, "app"}, {2, "store"}, {3, "web"}}, 2, false, true, ""},
		{"an extra column", byChannel, [][]any{{"web", 0.43, 3}, {"app", 0.29, 2}, {"store", 0.29, 2}}, 3, false, true, ""},
		{"a row missing", byChannel, [][]any{{"web", 3}, {"app", 2}}, 2, false, false, "2 rows, expected 3"},
		{"a value wrong", byChannel, [][]any{{"web", 3}, {"app", 2}, {"store", 1}}, 2, false, false, "no column holds the expected values of n"},
		{"values mixed between rows", byChannel, [][]any{{"web", 2}, {"app", 3}, {"store", 2}}, 2, false, false, "not in the answer"},
		{"too few columns", byChannel, [][]any{{"web"}, {"app"}, {"store"}}, 1, false, false, "1 columns, expected at least 2"},
		{"ordered, in order", byChannel, [][]any{{"web", 3}, {"app", 2}, {"store", 2}}, 2, true, true, ""},
		{"ordered, out of order", byChannel, [][]any{{"app", 2}, {"web", 3}, {"store", 2}}, 2, true, false, "no column holds"},
		{"a multiset, not a set", result([]string{"n"}, []string{"2"}, []string{"2"}, []string{"3"}), [][]any{{2}, {3}, {3}}, 1, false, false, "no column holds"},
		{"NULL is NULL", result([]string{"c", "n"}, []string{"", "4"}, []string{"x", "1"}), [][]any{{nil, 4}, {"x", 1}}, 2, false, true, ""},
		{"NULL is not zero", result([]string{"n"}, []string{""}), [][]any{{0}}, 1, false, false, "the answer is (0), expected (NULL)"},
		{"dates", result([]string{"d"}, []string{"2026-10-31"}), [][]any{{time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC)}}, 1, false, true, ""},
		{"Chinese text", result([]string{"省份", "n"}, []string{"广东省", "2425"}), [][]any{{"广东省", "2425"}}, 2, false, true, ""},
		{"text is exact", result([]string{"c"}, []string{"Home"}), [][]any{{"home"}}, 1, false, false, "expected (\"Home\")"},
	}
	for _, c := range cases {
		v := Compare(c.want, c.got, c.cols, c.ordered)
		if v.Correct != c.ok {
			t.Errorf("%s: correct = %v (%s), want %v", c.name, v.Correct, v.Reason, c.ok)
			continue
		}
		if !c.ok && !strings.Contains(v.Reason, c.reason) {
			t.Errorf("%s: reason %q, want it to say %q", c.name, v.Reason, c.reason)
		}
	}
}

// Two columns may each hold the expected values while only one pairing
// gives the expected rows: the comparison tries the assignments.
func TestCompareTriesColumnAssignments(t *testing.T) {
	want := result([]string{"a", "b"}, []string{"1", "2"}, []string{"2", "1"})
	// Columns 0 and 1 both hold {1, 2}; only (1, 2) is the right pair,
	// column 2 = (2, 1) per row.
	got := [][]any{{1, 2, 2}, {2, 1, 1}}
	if v := Compare(want, got, 3, true); !v.Correct {
		t.Errorf("not found: %s", v.Reason)
	}
	if v := Compare(want, [][]any{{1, 1}, {2, 2}}, 2, false); v.Correct {
		t.Error("pairs that are not the expected ones were accepted")
	}
}

func TestQuestionSet(t *testing.T) {
	all, err := Questions("")
	if err != nil {
		t.Fatal(err)
	}
	en, _ := Questions("en")
	zh, _ := Questions("zh-CN")
	if len(all) != 50 || len(en) != 25 || len(zh) != 25 {
		t.Fatalf("%d questions (%d en, %d zh), want 50 (25, 25)", len(all), len(en), len(zh))
	}
	ambiguous := 0
	for _, it := range all {
		if it.Ambiguous {
			ambiguous++
		}
	}
	if ambiguous != 2 {
		t.Errorf("%d ambiguous questions, the docs say 2", ambiguous)
	}
	ids := map[string]bool{}
	for _, it := range all {
		if ids[it.ID] || it.Question == "" || !strings.HasPrefix(strings.ToUpper(it.SQL), "SELECT") || !strings.HasPrefix(it.ID, it.Lang) {
			t.Errorf("bad item %+v", it)
		}
		ids[it.ID] = true
	}
	if _, err := Questions("fr"); err == nil {
		t.Error("French questions were found")
	}
}
