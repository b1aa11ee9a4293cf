package core

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/marketbench/marketbench/analytics/model"
	"github.com/marketbench/marketbench/storage/models"
)

// The whole marketer's path on the demo project: build a churn target from
// the orders, train and compare two models, score today's customers, use
// the scores in a segment rule, explain one customer, cluster.
func TestChurnModelOnDemo(t *testing.T) {
	ctx := context.Background()
	w, err := CreateDemo(ctx, filepath.Join(t.TempDir(), "demo.mbproj"), DemoOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()

	var stages []string
	lr, err := w.Train(ctx, TrainRequest{Target: &models.Target{Kind: models.Churn, Days: 90}, Spec: model.Spec{Algo: model.LogReg, Seed: 1}},
		func(s string, f float64) { stages = append(stages, s) })
	if err != nil {
		t.Fatal(err)
	}
	if lr.Name != "churn_logreg" || lr.Built == nil || lr.Built.Customers < 1000 || lr.Built.Positives == 0 || len(stages) < 4 {
		t.Fatalf("model %+v built %+v stages %v", lr.Name, lr.Built, stages)
	}
	// The customer table's columns joined in as features.
	if !strings.Contains(strings.Join(lr.Spec.Features(), ","), "country") {
		t.Errorf("features %v lack the customer table's country", lr.Spec.Features())
	}
	// Recency predicts churn in the generated data far better than chance.
	if lr.Eval.AUC < 0.65 {
		t.Errorf("churn AUC %v", lr.Eval.AUC)
	}
	fr, err := w.Train(ctx, TrainRequest{Table: "churn_training", Target: &models.Target{Kind: models.Churn, Days: 90},
		Spec: model.Spec{Algo: model.Forest, Trees: 30, Seed: 1}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := w.Train(ctx, TrainRequest{Name: "churn_tree", Table: "churn_training", Spec: model.Spec{Algo: model.Tree, Target: "churned"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Eval.Rules) == 0 || !strings.Contains(tr.Eval.Rules[0], "IF ") {
		t.Errorf("tree rules %q", tr.Eval.Rules)
	}
	list, err := w.Models(ctx)
	if err != nil || len(list) != 3 {
		t.Fatalf("models %v %v", list, err)
	}
	if _, err := w.Train(ctx, TrainRequest{Name: fr.Name, Table: "churn_training", Spec: model.Spec{Algo: model.Tree, Target: "churned"}}, nil); err == nil ||
		!strings.Contains(err.Error(), "already exists") {
		t.Errorf("duplicate name: %v", err)
	}

	res, err := w.Score(ctx, fr.Name, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.AsOf == "" || int64(res.Customers) < lr.Built.Customers || res.Column != "score_churn_forest" {
		t.Fatalf("score %+v", res)
	}
	n, err := w.CountRule(ctx, "customers", "score_churn_forest > 0.5")
	if err != nil {
		t.Fatal(err)
	}
	all, _ := w.CountRule(ctx, "customers", "score_churn_forest >= 0")
	if n == 0 || n >= all {
		t.Errorf("%d of %d customers above 0.5", n, all)
	}

	var id string
	if err := w.Q().QueryRowContext(ctx, `SELECT customer_id FROM churn_training ORDER BY customer_id LIMIT 1`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	ex, err := w.Explain(ctx, lr.Name, id, "", 3)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(ex.Text, "more likely churned") && !strings.HasPrefix(ex.Text, "less likely") {
		t.Errorf("explanation %q", ex.Text)
	}
	if _, err := w.Explain(ctx, lr.Name, "no-such-customer", "", 3); err == nil {
		t.Error("unknown customer explained")
	}

	// A later cut-off evaluates the stored model out of time.
	b, err := w.BuildTarget(ctx, models.Target{Kind: models.Churn, Days: 30}, "churn_later")
	if err != nil {
		t.Fatal(err)
	}
	ev, err := w.EvaluateModel(ctx, lr.Name, b.Table)
	if err != nil || ev.TestRows != int(b.Customers) || ev.AUC < 0.6 {
		t.Fatalf("out-of-time evaluation %+v %v", ev, err)
	}

	cl, err := w.Cluster(ctx, ClusterRequest{Table: "rfm_scores", Features: []string{"recency", "frequency", "monetary"}, K: 4, Seed: 1, Name: "value"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	sum := 0
	for _, s := range cl.Sizes {
		sum += s
	}
	if sum != cl.Rows || len(cl.Means) != 4 || cl.Silhouette <= 0 {
		t.Fatalf("cluster %+v", cl)
	}
	if n, err := w.CountRule(ctx, "customers", "cluster_value = 1 OR cluster_value = 2 OR cluster_value = 3 OR cluster_value = 4"); err != nil || n != int64(cl.Rows) {
		t.Errorf("cluster rule counts %d of %d: %v", n, cl.Rows, err)
	}

	if err := w.DeleteModel(ctx, fr.Name); err != nil {
		t.Fatal(err)
	}
	if _, err := w.CountRule(ctx, "customers", "score_churn_forest > 0.5"); err == nil {
		t.Error("deleted model's scores still usable")
	}
}

// Cancelling training leaves no model behind.
func TestTrainCancel(t *testing.T) {
	w, err := CreateDemo(context.Background(), filepath.Join(t.TempDir(), "demo.mbproj"), DemoOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	ctx, cancel := context.WithCancel(context.Background())
	_, err = w.Train(ctx, TrainRequest{Target: &models.Target{Kind: models.Purchase}, Spec: model.Spec{Algo: model.Forest}},
		func(stage string, f float64) {
			if strings.HasPrefix(stage, "Fitting") {
				cancel()
			}
		})
	if err != ErrCancelled {
		t.Fatalf("error %v, want ErrCancelled", err)
	}
	if list, _ := w.Models(context.Background()); len(list) != 0 {
		t.Fatalf("models after cancel: %v", list)
	}
}

// Cancelling a clustering stops it and saves nothing.
func TestClusterCancel(t *testing.T) {
	w, err := CreateDemo(context.Background(), filepath.Join(t.TempDir(), "demo.mbproj"), DemoOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	ctx, cancel := context.WithCancel(context.Background())
	_, err = w.Cluster(ctx, ClusterRequest{Table: "rfm_scores", K: 4, Name: "c"}, func(stage string, f float64) {
		if stage == "Clustering" {
			cancel()
		}
	})
	if err != ErrCancelled {
		t.Fatalf("error %v, want ErrCancelled", err)
	}
	if ok, _ := w.TableExists(context.Background(), "model_scores"); ok {
		t.Error("a cancelled clustering saved labels")
	}
}
