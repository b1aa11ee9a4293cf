package core

import (
	"context"
	"math"
	"sort"

	"gonum.org/v1/gonum/mat"

	"github.com/marketbench/marketbench/analytics/abtest"
	"github.com/marketbench/marketbench/analytics/model"
	"github.com/marketbench/marketbench/analytics/prep"
	"github.com/marketbench/marketbench/storage/models"
)

// FeatureRank is how strongly one column relates to a yes/no target.
type FeatureRank struct {
	Feature string
	Kind    string // "number" or "category"
	// MI is the mutual information with the target in nats (numbers on 10
	// quantile bins, categories as they are): comparable across kinds.
	MI float64
	// Correlation and its F-test p-value (numbers only; NaN otherwise).
	Correlation, CorrelationP float64
	// ChiSquare and P test independence from the target (categories: the
	// category × outcome table; numbers: their quantile bins).
	ChiSquare, ChiSquareP float64
}

// RankFeatures ranks a table's columns by how much they say about a yes/no
// target, before training: mutual information first, with correlation and
// chi-square for reading. Missing numbers are filled with the median.
func (w *Workspace) RankFeatures(ctx context.Context, table, target string, features []string) ([]FeatureRank, error) {
	num, cat, err := models.Features(ctx, w.Project, table, target, features)
	if err != nil {
		return nil, err
	}
	spec := model.Spec{Algo: model.LogReg, Target: target, Numeric: num, Categorical: cat}
	rows, err := models.Load(ctx, w.Project, models.Source{Table: table}, spec, true)
	if err != nil {
		return nil, err
	}
	y, _, keep, err := model.EncodeTarget(spec, rows.Data.Target)
	if err != nil {
		return nil, err
	}
	d := rows.Data.Subset(keep)
	labels := make([]int, len(y))
	for i, v := range y {
		labels[i] = int(v)
	}
	var out []FeatureRank
	if len(num) > 0 {
		imp := &prep.Imputer{Strategy: prep.Median}
		if err := imp.Fit(d.Num); err != nil {
			return nil, err
		}
		X, err := imp.Transform(d.Num)
		if err != nil {
			return nil, err
		}
		r, _ := prep.Correlation(X, y)
		_, fp, _ := prep.FRegression(X, y)
		mi, err := prep.MutualInfo(X, labels, prep.DefaultBins)
		if err != nil {
			return nil, err
		}

		for j, name := range num {
			col := mat.Col(nil, j, X)
			bins, err := prep.Discretize(col, prep.DefaultBins)
			if err != nil {
				return nil, err
			}
			stat, p := contingency(bins, labels)
			fr := FeatureRank{Feature: name, Kind: "number", MI: mi[j], ChiSquare: stat, ChiSquareP: p, Correlation: math.NaN(), CorrelationP: math.NaN()}
			if r != nil {
				fr.Correlation = r[j]
			}
			if fp != nil {
				fr.CorrelationP = fp[j]
			}
			out = append(out, fr)
		}
	}
	for j, name := range cat {
		codes := map[string]int{}
		col := make([]int, len(d.Cat))
		for i, row := range d.Cat {
			c, ok := codes[row[j]]
			if !ok {
				c = len(codes)
				codes[row[j]] = c
			}
			col[i] = c
		}
		X := mat.NewDense(len(col), 1, nil)
		for i, c := range col {
			X.Set(i, 0, float64(c))
		}
		mi, err := prep.MutualInfo(X, labels, 0)
		if err != nil {
			return nil, err
		}
		stat, p := contingency(col, labels)
		out = append(out, FeatureRank{Feature: name, Kind: "category", MI: mi[0], ChiSquare: stat, ChiSquareP: p,
			Correlation: math.NaN(), CorrelationP: math.NaN()})
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].MI > out[b].MI })
	return out, nil
}

// contingency is the chi-square test of independence of codes and 0/1
// labels (NaN when a side has one value only).
func contingency(codes, labels []int) (float64, float64) {
	k := 0
	for _, c := range codes {
		k = max(k, c+1)
	}
	table := make([][]int64, k)
	for i := range table {
		table[i] = make([]int64, 2)
	}
	for i, c := range codes {
		table[c][labels[i]]++
	}
	var kept [][]int64
	for _, r := range table {
		if r[0]+r[1] > 0 {
			kept = append(kept, r)
		}
	}
	cs, err := abtest.ChiSquareIndependence(kept, false)
	if err != nil {
		return math.NaN(), math.NaN()
	}
	return cs.Stat, cs.P
}
