package recommend

import "math"

// The ranking metrics take a recommended list (best first; only the first k
// count) and the customer's truth set. Relevance is binary. A truth item
// recommended twice counts once, so a buggy recommender cannot inflate its
// score by repeating a hit.

// hitsAt returns, for the first k recommendations, which ranks (0-based)
// were relevant first-time hits.
func hitsAt(rec []int, truth map[int]bool, k int) []int {
	if k <= 0 {
		return nil
	}
	var ranks []int
	seen := map[int]bool{}
	for i, it := range rec[:min(k, len(rec))] {
		if truth[it] && !seen[it] {
			seen[it] = true
			ranks = append(ranks, i)
		}
	}
	return ranks
}

// HitAt is 1 when any of the first k recommendations is in truth, else 0.
func HitAt(rec []int, truth map[int]bool, k int) float64 {
	if len(hitsAt(rec, truth, k)) > 0 {
		return 1
	}
	return 0
}

// PrecisionAt is hits / k. It divides by k even when fewer than k products
// were recommended: a short list is not rewarded for being short.
func PrecisionAt(rec []int, truth map[int]bool, k int) float64 {
	if k <= 0 {
		return 0
	}
	return float64(len(hitsAt(rec, truth, k))) / float64(k)
}

// RecallAt is hits / |truth|, 0 for an empty truth.
func RecallAt(rec []int, truth map[int]bool, k int) float64 {
	if len(truth) == 0 {
		return 0
	}
	return float64(len(hitsAt(rec, truth, k))) / float64(len(truth))
}

// NDCGAt is DCG/IDCG with gain 1 per hit and discount 1/log2(rank+1)
// (rank 1-based); the ideal list puts min(|truth|, k) hits first.
func NDCGAt(rec []int, truth map[int]bool, k int) float64 {
	if len(truth) == 0 || k <= 0 {
		return 0
	}
	dcg := 0.0
	for _, i := range hitsAt(rec, truth, k) {
		dcg += 1 / math.Log2(float64(i+2))
	}
	idcg := 0.0
	for i := 0; i < min(len(truth), k); i++ {
		idcg += 1 / math.Log2(float64(i+2))
	}
	return dcg / idcg
}

// Coverage is the share of the catalogue's products (cols) that appear in
// the first k of at least one list: a recommender that only ever offers
// best sellers scores low. Out-of-range indices are ignored.
func Coverage(lists [][]int, k, cols int) float64 {
	if cols <= 0 || k <= 0 {
		return 0
	}
	seen := make([]bool, cols)
	n := 0
	for _, l := range lists {
		for _, it := range l[:min(k, len(l))] {
			if it >= 0 && it < cols && !seen[it] {
				seen[it] = true
				n++
			}
		}
	}
	return float64(n) / float64(cols)
}
