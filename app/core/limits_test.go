package core

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/marketbench/marketbench/analytics/model"
)

// TestLimits: options whose time and memory grow with their value are
// refused, naming the allowed range, by the core both shells call (issue
// 8, finding 9). Values just past a limit would run quickly on this small
// table, so they show the check rather than a slow failure.
func TestLimits(t *testing.T) {
	ctx := context.Background()
	w, err := Create(filepath.Join(t.TempDir(), "l.mbproj"))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := w.DB().Exec(`CREATE TABLE t AS SELECT i AS id, (i * 7919) % 101 AS x, (i * 104729) % 97 AS y,
		(i % 2 = 0) AS label FROM range(300) r(i)`); err != nil {
		t.Fatal(err)
	}
	train := func(s model.Spec) error {
		s.Target, s.Seed = "label", 1
		_, err := w.Train(ctx, TrainRequest{Name: "m", Table: "t", Features: []string{"x", "y"}, Spec: s, Replace: true}, nil)
		return err
	}
	cluster := func(k, elbow int) error {
		_, err := w.Cluster(ctx, ClusterRequest{Table: "t", Features: []string{"x", "y"}, K: k, Elbow: elbow, Seed: 1}, nil)
		return err
	}
	for _, tc := range []struct {
		name string
		run  func() error
		want string
	}{
		{"trees 5001", func() error { return train(model.Spec{Algo: model.Forest, Trees: MaxTrees + 1, MaxDepth: 2}) }, "trees must be between 1 and 5000 (got 5001)"},
		{"trees 2000000000", func() error { return train(model.Spec{Algo: model.Forest, Trees: 2000000000}) }, "between 1 and 5000"},
		{"depth 51", func() error { return train(model.Spec{Algo: model.Tree, MaxDepth: MaxDepth + 1}) }, "depth must be between 1 and 50 (got 51)"},
		{"k 101", func() error { return cluster(MaxClusters+1, 0) }, "clusters must be between 2 and 100 (got 101)"},
		{"k 1", func() error { return cluster(1, 0) }, "between 2 and 100"},
		{"elbow 51", func() error { return cluster(3, MaxElbow+1) }, "between 2 and 50 (got 51)"},
		{"elbow 100000000", func() error { return cluster(3, 100000000) }, "between 2 and 50"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.run()
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
	// The limits themselves are allowed.
	if err := train(model.Spec{Algo: model.Tree, MaxDepth: MaxDepth}); err != nil {
		t.Fatal(err)
	}
	if err := cluster(3, MaxElbow); err != nil {
		t.Fatal(fmt.Errorf("elbow at the limit: %w", err))
	}
}
