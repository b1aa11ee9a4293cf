package sentimentrecipe

import (
	"math"
	"testing"
)

const data = "../../" + Data

// TestDocumentedRecipeChoices re-measures what docs/TEXT.md reports about
// the recipe: the mean held-out accuracy over seeds 1–30 (82.0 %), and what
// keeping every term would give (16,026 terms, 321/400 on the seed-2015
// split, 82.6 % over seeds 1–30).
func TestDocumentedRecipeChoices(t *testing.T) {
	mean := func(minDF int) float64 {
		sum := 0.0
		for seed := uint64(1); seed <= 30; seed++ {
			r, err := BuildWith(data, seed, minDF)
			if err != nil {
				t.Fatal(err)
			}
			sum += r.Accuracy()
		}
		return sum / 30
	}
	if m := mean(MinDF); math.Abs(m-0.820) > 0.0005 {
		t.Errorf("MinDF %d: mean accuracy over seeds 1-30 %.4f, docs/TEXT.md says 82.0 %%", MinDF, m)
	}
	if m := mean(1); math.Abs(m-0.826) > 0.0005 {
		t.Errorf("MinDF 1: mean accuracy over seeds 1-30 %.4f, docs/TEXT.md says 82.6 %%", m)
	}
	r, err := BuildWith(data, Seed, 1)
	if err != nil {
		t.Fatal(err)
	}
	if r.Hits != 321 || r.Tests != 400 || len(r.Model.Vec.Terms) != 16026 {
		t.Errorf("MinDF 1, seed %d: %d/%d, %d terms; docs/TEXT.md says 321/400 and 16,026 terms", Seed, r.Hits, r.Tests, len(r.Model.Vec.Terms))
	}
}
