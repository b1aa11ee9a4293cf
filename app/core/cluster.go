package core

import (
	"context"
	"fmt"
	"math"

	"github.com/marketbench/marketbench/analytics/cluster"
	"github.com/marketbench/marketbench/analytics/model"
	"github.com/marketbench/marketbench/analytics/prep"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage/models"
)

// ClusterRequest asks for a k-means clustering of a table's customers.
type ClusterRequest struct {
	Table    string
	Features []string // numeric columns; none means every numeric column
	K        int
	// Elbow, when set, also reports the inertia for k = 2..Elbow.
	Elbow int
	Seed  uint64
	// Name, when set, saves each customer's cluster (1..K) as
	// model_scores.cluster_NAME for segment rules.
	Name string
}

// ClusterResult is a fitted clustering, in the user's units.
type ClusterResult struct {
	K          int
	Features   []string
	Rows       int
	Inertia    float64 // on standardised features
	Silhouette float64 // on a sample of up to 5,000 rows; NaN if not computed
	Sizes      []int
	// Means[c][j] is cluster c's mean of feature j, in the user's units.
	Means  [][]float64
	Elbow  []float64 // inertia for k = 2.. when asked
	Column string    // the model_scores column written, if saved
}

// Cluster runs k-means (k-means++, 10 restarts) on the standardised
// numeric features, so a feature in thousands does not drown one in units.
// Missing values are filled with the median first.
func (w *Workspace) Cluster(ctx context.Context, r ClusterRequest, progress Progress) (*ClusterResult, error) {
	report := func(stage string, f float64) {
		if progress != nil {
			progress(stage, f)
		}
	}
	if err := checkClusterLimits(r); err != nil {
		return nil, err
	}
	if r.Name != "" {
		if err := models.CheckName(r.Name); err != nil {
			return nil, err
		}
	}
	num, cat, err := models.Features(ctx, w.Project, r.Table, "", r.Features)
	if err != nil {
		return nil, err
	}
	if len(cat) > 0 && len(r.Features) > 0 {
		return nil, i18n.Errorf("k-means needs numbers; %q is text", cat[0])
	}
	if len(num) == 0 {
		return nil, i18n.Errorf("table %q has no numeric column to cluster on", r.Table)
	}
	report(i18n.T("Reading %s", r.Table), 0.05)
	rows, err := models.Load(ctx, w.Project, models.Source{Table: r.Table}, model.Spec{Numeric: num}, false)
	if err != nil {
		return nil, cancelled(ctx, err)
	}
	n := rows.Data.Rows()
	if n < r.K {
		return nil, i18n.Errorf("%d rows cannot form %d clusters", n, r.K)
	}
	if r.Name != "" && rows.IDs[0] == "" {
		return nil, i18n.Errorf("table %q has no customer id column, so clusters cannot be saved per customer; set the role first", r.Table)
	}
	pipe := &prep.Pipeline{Steps: []prep.Step{{Impute: &prep.Imputer{Strategy: prep.Median}}, {Standard: &prep.StandardScaler{}}}}
	if err := pipe.Fit(rows.Data.Num, nil); err != nil {
		return nil, err
	}
	X, err := pipe.Transform(rows.Data.Num, nil)
	if err != nil {
		return nil, err
	}
	report(i18n.T("Clustering"), 0.2)
	res, err := cluster.KMeansContext(ctx, X, cluster.Options{K: r.K, Seed: r.Seed, Tol: cluster.DefaultTol})
	if err != nil {
		return nil, cancelled(ctx, err)
	}
	out := &ClusterResult{K: r.K, Features: num, Rows: n, Inertia: res.Inertia, Sizes: res.Sizes, Silhouette: math.NaN()}
	// Profiles in the user's units: means of the imputed, unscaled values.
	imp := &prep.Pipeline{Steps: pipe.Steps[:1]}
	raw, err := imp.Transform(rows.Data.Num, nil)
	if err != nil {
		return nil, err
	}
	profiles, err := cluster.Profiles(raw, res.Labels, r.K)
	if err != nil {
		return nil, err
	}
	for _, p := range profiles {
		out.Means = append(out.Means, p.Mean)
	}
	report(i18n.T("Measuring separation"), 0.6)
	if s, err := cluster.Silhouette(X, res.Labels, cluster.SilhouetteOptions{SampleSize: min(n-1, 5000), Seed: r.Seed}); err == nil {
		out.Silhouette = s
	}
	if r.Elbow >= 2 {
		report(i18n.T("Elbow curve"), 0.7)
		var ks []int
		for k := 2; k <= min(r.Elbow, n); k++ {
			ks = append(ks, k)
		}
		if out.Elbow, err = cluster.Elbow(X, ks, cluster.Options{Seed: r.Seed, Tol: cluster.DefaultTol, NInit: 3}); err != nil {
			return nil, err
		}
		if ctx.Err() != nil {
			return nil, ErrCancelled
		}
	}
	if r.Name != "" {
		report(i18n.T("Saving clusters"), 0.9)
		labels := make([]float64, n)
		for i, l := range res.Labels {
			labels[i] = float64(l + 1)
		}
		out.Column = models.ClusterColumn(r.Name)
		if err := models.WriteColumn(ctx, w.Project, out.Column, rows.IDs, labels, "cluster",
			fmt.Sprintf("k-means k=%d on %s", r.K, r.Table)); err != nil {
			return nil, err
		}
	}
	report(i18n.T("Done"), 1)
	return out, nil
}
