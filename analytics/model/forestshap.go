package model

import "github.com/marketbench/marketbench/analytics/explain"

// forestSHAP returns the exact SHAP values of the forest's probability of
// class 1 for the transformed row x.
func (m *Model) forestSHAP(x []float64) ([]float64, error) {
	e, err := explain.NewForestExplainer(m.Forest, 1)
	if err != nil {
		return nil, err
	}
	return e.SHAP(x), nil
}
