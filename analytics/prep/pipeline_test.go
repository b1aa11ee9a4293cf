package prep

import (
	"encoding/json"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func TestPipelineMatchesSteps(t *testing.T) {
	f := load(t)
	X, test := denseNaN(f.Impute.X), denseNaN(f.Impute.Test)
	n, _ := X.Dims()
	nt, _ := test.Dims()
	cat, catTest := f.OneHot.Train[:n], f.OneHot.Test[:nt]

	p := Pipeline{
		Steps: []Step{{Impute: &Imputer{Strategy: Median}}, {Standard: &StandardScaler{}}, {PCA: &PCA{N: 3}}},
		Cat:   &OneHot{Columns: f.OneHot.Columns},
	}
	if err := p.Fit(X, cat); err != nil {
		t.Fatal(err)
	}
	eqVec(t, "median", p.Steps[0].Impute.Stats, f.Impute.Median.Stats, 0)

	// The same steps by hand, fitted on training rows only.
	var (
		imp = Imputer{Strategy: Median}
		std StandardScaler
		pca = PCA{N: 3}
		oh  OneHot
	)
	want := func(num *mat.Dense, c [][]string, fit bool) *mat.Dense {
		t.Helper()
		for _, tr := range []Transformer{&imp, &std, &pca} {
			if fit {
				if err := tr.Fit(num); err != nil {
					t.Fatal(err)
				}
			}
			var err error
			if num, err = tr.Transform(num); err != nil {
				t.Fatal(err)
			}
		}
		if fit {
			if err := oh.Fit(f.OneHot.Columns, c); err != nil {
				t.Fatal(err)
			}
		}
		C, err := oh.Transform(c)
		if err != nil {
			t.Fatal(err)
		}
		var out mat.Dense
		out.Augment(num, C)
		return &out
	}
	wantTrain, wantTest := want(X, cat, true), want(test, catTest, false)

	// A stored and restored pipeline must score exactly like the original.
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var q Pipeline
	if err := json.Unmarshal(b, &q); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		p    *Pipeline
		num  *mat.Dense
		cat  [][]string
		want *mat.Dense
	}{
		"train":          {&p, X, cat, wantTrain},
		"test":           {&p, test, catTest, wantTest},
		"restored train": {&q, X, cat, wantTrain},
		"restored test":  {&q, test, catTest, wantTest},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := tc.p.Transform(tc.num, tc.cat)
			if err != nil {
				t.Fatal(err)
			}
			if r, c := got.Dims(); c != 3+len(oh.FeatureNames()) {
				t.Fatalf("got %d×%d", r, c)
			}
			if !mat.Equal(got, tc.want) {
				t.Error("pipeline output differs from the steps applied by hand")
			}
		})
	}
}

func TestPipelineErrors(t *testing.T) {
	X := mat.NewDense(3, 1, []float64{1, 2, 3})
	cat := [][]string{{"a"}, {"b"}, {"a"}}
	for name, tc := range map[string]struct {
		p   Pipeline
		num *mat.Dense
		cat [][]string
	}{
		"no steps":       {Pipeline{}, X, nil},
		"empty step":     {Pipeline{Steps: []Step{{}}}, X, nil},
		"two transforms": {Pipeline{Steps: []Step{{Standard: &StandardScaler{}, PCA: &PCA{}}}}, X, nil},
		"no numeric":     {Pipeline{Steps: []Step{{Standard: &StandardScaler{}}}}, nil, nil},
		"no categorical": {Pipeline{Cat: &OneHot{}}, X, nil},
		"row mismatch":   {Pipeline{Cat: &OneHot{}}, X, cat[:2]},
	} {
		if err := tc.p.Fit(tc.num, tc.cat); err == nil {
			t.Errorf("%s: Fit: no error", name)
		}
	}
	p := Pipeline{Steps: []Step{{MinMax: &MinMaxScaler{}}}}
	if _, err := p.Transform(X, nil); err == nil {
		t.Error("Transform before Fit: no error")
	}
	// Categorical only: numeric input is optional without numeric steps.
	p = Pipeline{Cat: &OneHot{Columns: []string{"k"}}}
	if err := p.Fit(nil, cat); err != nil {
		t.Fatal(err)
	}
	got, err := p.Transform(nil, [][]string{{"b"}})
	if err != nil {
		t.Fatal(err)
	}
	eqVec(t, "onehot", got.RawRowView(0), []float64{0, 1}, 0)
}

// The in-place path gives exactly what Fit then Transform give.
func TestPipelineOwned(t *testing.T) {
	num := mat.NewDense(5, 2, []float64{1, math.NaN(), 2, 4, math.NaN(), 6, 4, 8, 5, 10})
	cat := [][]string{{"a"}, {"b"}, {"a"}, {"c"}, {"b"}}
	mk := func() *Pipeline {
		return &Pipeline{Steps: []Step{{Impute: &Imputer{Strategy: Median}}, {Standard: &StandardScaler{}}, {MinMax: &MinMaxScaler{}}},
			Cat: &OneHot{Columns: []string{"c"}}}
	}
	ref := mk()
	if err := ref.Fit(num, cat); err != nil {
		t.Fatal(err)
	}
	want, _ := ref.Transform(num, cat)
	p := mk()
	got, err := p.FitTransformOwned(mat.DenseCopyOf(num), cat)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := p.TransformOwned(mat.DenseCopyOf(num), cat)
	if !mat.Equal(got, want) || !mat.Equal(again, want) {
		t.Fatalf("owned\n%v\n%v\nwant\n%v", mat.Formatted(got), mat.Formatted(again), mat.Formatted(want))
	}
}
