package uplift

import (
	"compress/gzip"
	"context"
	"encoding/csv"
	"os"
	"strconv"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/marketbench/marketbench/analytics/model"
)

// hillstrom reads the MineThatData e-mail experiment (testdata/README.md)
// for one e-mail against no e-mail, with outcome visit.
func hillstrom(t testing.TB, email string) (model.Data, []bool, []float64, model.Spec) {
	t.Helper()
	f, err := os.Open("../../testdata/real/hillstrom.csv.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(gz).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	spec := model.Spec{Algo: model.LogReg, Numeric: []string{"recency", "history", "mens", "womens", "newbie"},
		Categorical: []string{"zip_code", "channel"}, Seed: 1}
	var num []float64
	var cat [][]string
	var treated []bool
	var y []float64
	for _, r := range rows[1:] {
		seg := r[col["segment"]]
		if seg != email && seg != "No E-Mail" {
			continue
		}
		for _, c := range spec.Numeric {
			v, err := strconv.ParseFloat(r[col[c]], 64)
			if err != nil {
				t.Fatal(err)
			}
			num = append(num, v)
		}
		cat = append(cat, []string{r[col["zip_code"]], r[col["channel"]]})
		treated = append(treated, seg == email)
		v, _ := strconv.ParseFloat(r[col["visit"]], 64)
		y = append(y, v)
	}
	return model.Data{Num: mat.NewDense(len(y), len(spec.Numeric), num), Cat: cat}, treated, y, spec
}

// TestHillstrom: on the held-out half, the top 30 % by predicted uplift
// show more uplift than the average effect, for each method and both
// e-mails (docs/VALUE.md records the figures). The women's e-mail works
// very differently across customers and the top 30 % must show at least
// 1.5× the average effect; the men's e-mail works much the same for
// everyone (1.06× to 1.36× over five splits), so there the bar is only
// "better than random": at least 1.05× and a positive Qini.
func TestHillstrom(t *testing.T) {
	if testing.Short() {
		t.Skip("trains 6 uplift models on 42,000 customers each")
	}
	for _, email := range []string{"Womens E-Mail", "Mens E-Mail"} {
		d, treated, y, spec := hillstrom(t, email)
		for _, method := range Methods {
			_, res, err := Train(context.Background(), d, treated, y, Options{Method: method, Spec: spec, Seed: 1})
			if err != nil {
				t.Fatal(email, method, err)
			}
			top, err := res.Top(0.3)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s, %s: held out %d; ATE %.4f; top 30%%: uplift %.4f (%.2f× the ATE); Qini %.3f; decile 1 %.4f, decile 10 %.4f",
				email, method, res.Customers, res.ATE, top.Uplift, top.Gain, res.Qini, res.Deciles[0].Uplift, res.Deciles[9].Uplift)
			bar := 1.5
			if email == "Mens E-Mail" {
				bar = 1.05
			}
			if top.Gain < bar || res.Qini <= 0 {
				t.Errorf("%s, %s: top 30%% uplift %.4f is %.2f× the ATE %.4f (want ≥ %.2f×), Qini %.3f", email, method, top.Uplift, top.Gain, res.ATE, bar, res.Qini)
			}
		}
	}
}
