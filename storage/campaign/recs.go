package campaign

import (
	"context"
	"strconv"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/segment"
)

// TopRecs is how many of a customer's recommendations templates get.
const TopRecs = 3

// recParts are the fields of one recommendation: rec1_name, rec1_id, …
var recParts = []string{"name", "id", "category", "reason", "link"}

// RecFields are the template fields of a customer's top recommendations:
// rec1_name … rec3_link, then recommendations (the names as a list in
// words, "A, B and C").
func RecFields() []string {
	var out []string
	for i := 1; i <= TopRecs; i++ {
		for _, part := range recParts {
			out = append(out, "rec"+strconv.Itoa(i)+"_"+part)
		}
	}
	return append(out, "recommendations")
}

// hasRecs reports whether the project has scored recommendations that
// templates can use.
func hasRecs(ctx context.Context, p *storage.Project) (bool, error) {
	_, ok, err := segment.TopRecommendationsSQL(ctx, p, TopRecs)
	return ok, err
}

// loadRecs reads the top recommendations of the customers ids selects
// (with args), in one query for the whole audience, as their template
// fields by customer id; nil when the project has none.
func loadRecs(ctx context.Context, p *storage.Project, ids string, args []any) (map[string]map[string]string, error) {
	q, ok, err := segment.TopRecommendationsSQL(ctx, p, TopRecs)
	if err != nil || !ok {
		return nil, err
	}
	rows, err := p.Q().QueryContext(ctx, `SELECT customer_id, pos, product_id, name, category, reason, link FROM (`+q+`)
		WHERE customer_id IN (SELECT customer_id FROM (`+ids+`)) ORDER BY customer_id, pos`, args...)
	if err != nil {
		return nil, i18n.Errorf("cannot read the recommendations: %s", storage.FirstLine(err.Error()))
	}
	defer rows.Close()
	out := map[string]map[string]string{}
	names := map[string][]string{}
	for rows.Next() {
		var id string
		var pos int
		var v [5]*string // id, name, category, reason, link
		if err := rows.Scan(&id, &pos, &v[0], &v[1], &v[2], &v[3], &v[4]); err != nil {
			return nil, err
		}
		f := out[id]
		if f == nil {
			f = map[string]string{}
			out[id] = f
		}
		pre := "rec" + strconv.Itoa(pos) + "_"
		for i, part := range []string{"id", "name", "category", "reason", "link"} {
			if v[i] != nil {
				f[pre+part] = *v[i]
			}
		}
		names[id] = append(names[id], f[pre+"name"])
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for id, n := range names {
		out[id]["recommendations"] = i18n.List(n)
	}
	return out, nil
}

// setRecs gives a recipient every recommendation field, empty where they
// have fewer than three (so {{if .rec2_name}} works), unless the customer
// table has a column of that name.
func setRecs(data map[string]string, recs map[string]string, table map[string]bool) {
	for _, f := range RecFields() {
		if !table[f] {
			data[f] = recs[f]
		}
	}
}
