package drift

import (
	"encoding/json"
	"math"
	"os"
	"testing"
)

// TestPSIByHand checks the formula on shares worked out by hand:
// (0.25−0.5)·ln(0.25/0.5) + (0.75−0.5)·ln(0.75/0.5) = 0.25·ln 2 + 0.25·ln 1.5.
func TestPSIByHand(t *testing.T) {
	got, err := PSI([]float64{0.5, 0.5}, []float64{0.25, 0.75})
	if err != nil {
		t.Fatal(err)
	}
	if want := 0.25*math.Log(2) + 0.25*math.Log(1.5); math.Abs(got-want) > 1e-15 || math.Abs(got-0.27465307) > 1e-8 {
		t.Errorf("PSI = %v, want %v", got, want)
	}
	// An empty current bin counts as Epsilon: (1e-4 − 0.5)·ln(1e-4/0.5) + 0.5·ln(1/0.5)... with ref 0.5/0.5, cur 0/1.
	got, _ = PSI([]float64{0.5, 0.5}, []float64{0, 1})
	if want := (Epsilon-0.5)*math.Log(Epsilon/0.5) + 0.5*math.Log(2); math.Abs(got-want) > 1e-12 {
		t.Errorf("PSI with an empty bin = %v, want %v", got, want)
	}
	if same, _ := PSI([]float64{0.2, 0.3, 0.5}, []float64{0.2, 0.3, 0.5}); same != 0 {
		t.Errorf("PSI of identical shares = %v, want 0", same)
	}
	if _, err := PSI([]float64{1}, []float64{0.5, 0.5}); err == nil {
		t.Error("PSI of mismatched bins: no error")
	}
}

func TestRead(t *testing.T) {
	for psi, want := range map[float64]Level{0: Stable, 0.099: Stable, 0.1: Some, 0.25: Some, 0.2501: Major, 3: Major} {
		if got := Read(psi); got != want {
			t.Errorf("Read(%v) = %v, want %v", psi, got, want)
		}
	}
}

type fixture struct {
	Name       string     `json:"name"`
	Kind       string     `json:"kind"`
	Ref        []*float64 `json:"ref"`
	CurN       []*float64 `json:"cur"`
	RefCat     []string   `json:"ref_cat"`
	CurCat     []string   `json:"cur_cat"`
	Edges      []float64  `json:"edges"`
	Categories []string   `json:"categories"`
	RefShare   []float64  `json:"ref_share"`
	CurShare   []float64  `json:"cur_share"`
	PSI        float64    `json:"psi"`
}

func floats(p []*float64) []float64 {
	out := make([]float64, len(p))
	for i, v := range p {
		out[i] = math.NaN()
		if v != nil {
			out[i] = *v
		}
	}
	return out
}

func near(t *testing.T, what string, got, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d (%v vs %v)", what, len(got), len(want), got, want)
	}
	for i := range got {
		if math.Abs(got[i]-want[i]) > 1e-12*math.Max(1, math.Abs(want[i])) {
			t.Errorf("%s[%d] = %v, want %v", what, i, got[i], want[i])
		}
	}
}

// TestAgainstNumpy compares bins, shares and PSI with testdata/psi.json,
// computed independently by testdata/gen_fixtures.py with numpy.
func TestAgainstNumpy(t *testing.T) {
	raw, err := os.ReadFile("testdata/psi.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct{ Cases []fixture }
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Cases) < 5 {
		t.Fatalf("%d fixture cases, want 5", len(f.Cases))
	}
	for _, c := range f.Cases {
		t.Run(c.Name, func(t *testing.T) {
			var b Bins
			var got float64
			var cur []float64
			if c.Kind == Numeric {
				ref, x := floats(c.Ref), floats(c.CurN)
				b = NewNumeric(ref)
				near(t, "edges", b.Edges, c.Edges)
				cur = b.ShareNumeric(x)
				got, err = b.Numbers(x)
			} else {
				b = NewCategorical(c.RefCat)
				if len(b.Categories) != len(c.Categories) {
					t.Fatalf("categories %q, want %q", b.Categories, c.Categories)
				}
				cur = b.ShareCategorical(c.CurCat)
				got, err = b.Values(c.CurCat)
			}
			if err != nil {
				t.Fatal(err)
			}
			near(t, "reference shares", b.Ref, c.RefShare)
			near(t, "current shares", cur, c.CurShare)
			near(t, "psi", []float64{got}, []float64{c.PSI})
			if self, _ := PSI(b.Ref, b.Ref); self != 0 {
				t.Errorf("the reference against itself: PSI %v", self)
			}
		})
	}
}

// TestShiftedFeature: one column moved by one standard deviation reads as
// a major shift; a fresh sample of the same distribution stays stable.
func TestShiftedFeature(t *testing.T) {
	ref, same, moved := make([]float64, 5000), make([]float64, 5000), make([]float64, 5000)
	for i := range ref {
		// Deterministic quasi-normal values: the inverse of a logistic CDF.
		u := (float64(i) + 0.5) / 5000
		v := math.Log(u / (1 - u))
		ref[i], moved[i] = v, v+1.8 // the logistic's sd is π/√3 ≈ 1.81
		w := (float64((i*7919)%5000) + 0.25) / 5000
		same[i] = math.Log(w / (1 - w))
	}
	b := NewNumeric(ref)
	if p, _ := b.Numbers(same); Read(p) != Stable {
		t.Errorf("same distribution: PSI %v (%v)", p, Read(p))
	}
	if p, _ := b.Numbers(moved); Read(p) != Major {
		t.Errorf("shifted by one sd: PSI %v (%v), want major", p, Read(p))
	}
	if _, err := b.Values([]string{"a"}); err == nil {
		t.Error("numeric bins took categories")
	}
}

func TestJSONRoundTrip(t *testing.T) {
	b := NewNumeric([]float64{1, 2, 3, math.NaN(), 5, 6, 7, 8, 9, 10})
	raw, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	var back Bins
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	p, err := back.Numbers([]float64{1, 2, 3, math.NaN(), 5, 6, 7, 8, 9, 10})
	if err != nil || p != 0 {
		t.Errorf("stored bins against the same data: PSI %v, %v", p, err)
	}
	if lv, _ := json.Marshal(Major); string(lv) != `"major"` {
		t.Errorf("level JSON %s", lv)
	}
}
