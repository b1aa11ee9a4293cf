package core

import (
	"context"
	"sort"
	"strings"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/marketbench/marketbench/analytics/text"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/models"
	"github.com/marketbench/marketbench/storage/privacy"
)

// personalTerms returns the terms that are (or contain a word that is) a
// value of a personal-data column of any table, or look like personal
// data by themselves (an e-mail, a phone or an id number).
func (w *Workspace) personalTerms(ctx context.Context, terms []string) (map[string]bool, error) {
	out := map[string]bool{}
	words := map[string]bool{}
	now := time.Now()
	for _, t := range terms {
		if len(privacy.DetectValue("", t, now)) > 0 {
			out[t] = true
		}
		for _, f := range strings.Fields(t) {
			words[f] = true
		}
	}
	if len(words) == 0 {
		return out, nil
	}
	list := make([]any, 0, len(words))
	marks := make([]string, 0, len(words))
	for f := range words {
		list = append(list, f)
		marks = append(marks, "?")
	}
	in := strings.Join(marks, ",")
	tables, err := w.Project.Tables(ctx)
	if err != nil {
		return nil, err
	}
	found := map[string]bool{}
	for _, tb := range tables {
		roles, err := w.Project.ColumnRoles(ctx, tb.Name)
		if err != nil {
			return nil, err
		}
		for col, r := range roles {
			if !personalRoles[r] {
				continue
			}
			v := `lower(trim(CAST(` + storage.Quote(col) + ` AS VARCHAR)))`
			// Whole values and each space-separated part ("Alice Smith").
			q := `SELECT DISTINCT t FROM (SELECT ` + v + ` AS t FROM ` + storage.Quote(tb.Name) +
				` UNION ALL SELECT unnest(string_split(` + v + `, ' ')) FROM ` + storage.Quote(tb.Name) + `) WHERE t IN (` + in + `)`
			rows, err := w.Q().QueryContext(ctx, q, list...)
			if err != nil {
				return nil, err
			}
			for rows.Next() {
				var s string
				if rows.Scan(&s) == nil {
					found[s] = true
				}
			}
			rows.Close()
		}
	}
	for _, t := range terms {
		for _, f := range strings.Fields(t) {
			if found[f] {
				out[t] = true
			}
		}
	}
	return out, nil
}

// nameIsPersonal says whether a model's theme name contains a value of a
// personal-data column (of three characters or more, so short name parts
// do not match every word) or looks like personal data itself.
func (w *Workspace) nameIsPersonal(ctx context.Context, name string) (bool, error) {
	if len(privacy.DetectValue("", name, time.Now())) > 0 {
		return true, nil
	}
	l := strings.ToLower(name)
	tables, err := w.Project.Tables(ctx)
	if err != nil {
		return false, err
	}
	for _, tb := range tables {
		roles, err := w.Project.ColumnRoles(ctx, tb.Name)
		if err != nil {
			return false, err
		}
		for col, r := range roles {
			if !personalRoles[r] {
				continue
			}
			v := `lower(trim(CAST(` + storage.Quote(col) + ` AS VARCHAR)))`
			var n int
			if err := w.Q().QueryRowContext(ctx, `SELECT count(*) FROM `+storage.Quote(tb.Name)+` WHERE length(`+v+`) >= 3 AND strpos(?, `+v+`) > 0`, l).Scan(&n); err != nil {
				return false, err
			}
			if n > 0 {
				return true, nil
			}
		}
	}
	return false, nil
}

// describeThemes builds the themes of a clustering, largest first, and
// renumbers labels to match: keywords (TF-IDF contrast with the other
// themes, personal values left out), size, sentiment and the rows nearest
// the centre.
func describeThemes(X *mat.Dense, labels []int, centres [][]float64, texts []models.RowText, tfidf []text.Vec, terms []string,
	personal map[string]bool, sent text.Bilingual, examples int, chinese bool) []Theme {
	if examples <= 0 {
		examples = 5
	}
	k := len(centres)
	themes := make([]Theme, k)
	var posSum = make([]float64, k)
	for i, l := range labels {
		th := &themes[l]
		th.Size++
		p, _, known := sent.Score(texts[i].Text)
		if !known {
			p = 0.5
		} else if text.Label(p) == 1 {
			th.Positive++
		} else {
			th.Negative++
		}
		posSum[l] += p
	}
	for c := range themes {
		th := &themes[c]
		if th.Size > 0 {
			th.Sentiment = posSum[c] / float64(th.Size)
			th.Positive /= float64(th.Size)
			th.Negative /= float64(th.Size)
		}
		th.Share = float64(th.Size) / float64(len(labels))
		in := make([]bool, len(labels))
		for i, l := range labels {
			in[i] = l == c
		}
		for _, kw := range text.Keywords(tfidf, in, terms, 4*themesKeywords) {
			if !personal[kw.Term] && len(th.Keywords) < themesKeywords && !overlaps(th.Keywords, kw.Term) {
				th.Keywords = append(th.Keywords, kw.Term)
			}
		}
		// The most typical texts: nearest the centre.
		type near struct {
			i int
			d float64
		}
		var ns []near
		for i, l := range labels {
			if l == c {
				ns = append(ns, near{i, dist2(X.RawRowView(i), centres[c])})
			}
		}
		sort.SliceStable(ns, func(a, b int) bool { return ns[a].d < ns[b].d })
		seen := map[string]bool{}
		for _, n := range ns {
			if len(th.Examples) == examples {
				break
			}
			if t := texts[n.i].Text; !seen[t] { // repeated texts say nothing new
				seen[t] = true
				th.Examples = append(th.Examples, texts[n.i].RowID)
				th.ExampleTexts = append(th.ExampleTexts, t)
			}
		}
		th.Name, th.NamedBy = keywordName(th.Keywords, chinese), "keywords"
	}
	// Largest first; labels follow the new order.
	order := make([]int, k)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return themes[order[a]].Size > themes[order[b]].Size })
	newID := make([]int, k)
	out := make([]Theme, 0, k)
	for n, c := range order {
		newID[c] = n
		th := themes[c]
		th.ID = n + 1
		out = append(out, th)
	}
	for i, l := range labels {
		labels[i] = newID[l]
	}
	copy(centres, reorder(centres, order))
	// Drop themes no row was assigned to (k-means on a sample can leave one).
	for len(out) > 0 && out[len(out)-1].Size == 0 {
		out = out[:len(out)-1]
	}
	return out
}

// overlaps says whether term shares a word with a chosen keyword ("超级"
// and "超级 喜欢"), which would only repeat it.
func overlaps(chosen []string, term string) bool {
	for _, c := range chosen {
		for _, a := range strings.Fields(c) {
			for _, b := range strings.Fields(term) {
				if a == b {
					return true
				}
			}
		}
	}
	return false
}

func reorder(centres [][]float64, order []int) [][]float64 {
	out := make([][]float64, len(order))
	for n, c := range order {
		out[n] = centres[c]
	}
	return out
}

// keywordName names a theme by its first three keywords.
func keywordName(kw []string, chinese bool) string {
	kw = kw[:min(3, len(kw))]
	if len(kw) == 0 {
		return "—"
	}
	if chinese {
		return strings.Join(kw, "、")
	}
	return strings.Join(kw, " · ")
}
