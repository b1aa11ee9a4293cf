package core

import (
	"github.com/marketbench/marketbench/analytics/model"
	"github.com/marketbench/marketbench/assets/i18n"
)

// Limits on the options whose time and memory grow with their value, so
// that one request cannot take the machine: a forest of two billion trees
// or an elbow curve to a hundred million clusters. Train and Cluster
// check them, so the GUI and the CLI share them.
const (
	MaxTrees    = 5000 // forest size
	MaxDepth    = 50   // tree and forest depth
	MaxClusters = 100  // k of k-means
	MaxElbow    = 50   // largest k of the elbow curve
)

// checkModelLimits refuses model options out of their allowed range; 0
// means the default for each.
func checkModelLimits(s model.Spec) error {
	if s.Trees < 0 || s.Trees > MaxTrees {
		return i18n.Errorf("the number of trees must be between 1 and %d (got %d)", MaxTrees, s.Trees)
	}
	if s.MaxDepth < 0 || s.MaxDepth > MaxDepth {
		return i18n.Errorf("the maximum tree depth must be between 1 and %d (got %d)", MaxDepth, s.MaxDepth)
	}
	return nil
}

// checkClusterLimits refuses a number of clusters or an elbow curve out of
// their allowed range; an elbow of 0 means none.
func checkClusterLimits(r ClusterRequest) error {
	if r.K < 2 || r.K > MaxClusters {
		return i18n.Errorf("the number of clusters must be between 2 and %d (got %d)", MaxClusters, r.K)
	}
	if r.Elbow != 0 && (r.Elbow < 2 || r.Elbow > MaxElbow) {
		return i18n.Errorf("the elbow curve's largest number of clusters must be between 2 and %d (got %d)", MaxElbow, r.Elbow)
	}
	return nil
}
