package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/marketbench/marketbench/analytics/explain"
	"github.com/marketbench/marketbench/analytics/model"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage/models"
)

// TrainRequest is what the user chose on the train form or the command line.
type TrainRequest struct {
	// Name is the model's name in the project; "" derives one from the
	// target and algorithm.
	Name string
	// Table (and optionally Segment) hold the training rows, or, with
	// Target set, the name of the table the target is built into.
	Table, Segment string
	// Target builds a churn or purchase table from the orders first; then
	// Spec.Target may stay empty.
	Target *models.Target
	// Features are the feature columns; none means every usable column.
	Features []string
	// Spec holds the algorithm and its options; its Target, Numeric and
	// Categorical are filled in from the fields above.
	Spec model.Spec
	// Replace allows overwriting a model of the same name.
	Replace bool
}

// Features is the feature choice Train makes for table when none are
// given: numbers and true/false, then categories (text with few values).
func (w *Workspace) Features(ctx context.Context, table, target string) (numeric, categorical []string, err error) {
	return models.Features(ctx, w.Project, table, target, nil)
}

// ModelInfo is a stored model as the screens and the CLI show it.
type ModelInfo struct {
	Name      string
	Kind      string
	Algo      string
	Target    string
	Source    models.Source
	Spec      model.Spec
	Eval      model.Evaluation
	Seconds   float64
	TrainedAt time.Time
	// Built describes the target table when the model's data came from one.
	Built *models.Built `json:",omitempty"`
}

// Train trains a model and stores it, with its pipeline, evaluation and
// a description of its data, in the project.
func (w *Workspace) Train(ctx context.Context, r TrainRequest, progress Progress) (*ModelInfo, error) {
	report := func(stage string, f float64) {
		if progress != nil {
			progress(stage, f)
		}
	}
	start := time.Now()
	spec := r.Spec
	if spec.Algo == "" {
		spec.Algo = model.LogReg
	}
	if err := checkModelLimits(spec); err != nil {
		return nil, err
	}
	plugin := strings.HasPrefix(spec.Algo, PluginAlgoPrefix)
	if !plugin {
		// The options are checked before a target table is built, so a
		// mistake costs nothing; the columns are checked once known.
		pre := spec
		pre.Target, pre.Numeric, pre.Categorical = "x", []string{"y"}, nil
		if err := pre.Validate(); err != nil {
			return nil, err
		}
	} else if _, _, err := splitPluginAlgo(spec.Algo); err != nil {
		return nil, err
	}
	name := r.Name
	if r.Target != nil {
		if r.Table == "" {
			r.Table = r.Target.Kind + "_training"
		}
		if name == "" {
			name = r.Target.Kind + "_" + algoShort(spec.Algo)
		}
	} else if name == "" {
		name = strings.ToLower(sanitize(spec.Target)) + "_" + algoShort(spec.Algo)
	}
	if err := models.CheckName(name); err != nil {
		return nil, err
	}
	if !r.Replace {
		if _, _, err := models.Get(ctx, w.Project, name); err == nil {
			return nil, i18n.Errorf("a model named %q already exists; choose another name or replace it", name)
		}
	}
	src := models.Source{Table: r.Table, Segment: r.Segment}
	var built *models.Built
	if r.Target != nil {
		report(targetStage(r.Target.Kind), 0.01)
		b, err := models.BuildTarget(ctx, w.Project, *r.Target, r.Table)
		if err != nil {
			return nil, err
		}
		built = b
		src.Target = &b.Target
		spec.Target = b.Target.Column()
	}
	if src.Table == "" {
		return nil, i18n.Errorf("choose the table to train on")
	}
	num, cat, err := models.Features(ctx, w.Project, src.Table, spec.Target, r.Features)
	if err != nil {
		return nil, err
	}
	spec.Numeric, spec.Categorical = num, cat
	cols, err := w.Columns(ctx, src.Table)
	if err != nil {
		return nil, err
	}
	for _, c := range cols {
		if c.IsBool() && slices.Contains(num, c.Name) {
			spec.Bools = append(spec.Bools, c.Name)
		}
	}
	check := spec
	if plugin {
		check.Algo = model.LogReg // the plugin checks its own options
	}
	if err := check.Validate(); err != nil {
		return nil, err
	}
	if plugin {
		return w.trainPlugin(ctx, name, src, spec, built, r.Replace, report)
	}
	report(i18n.T("Reading %s", src.Table), 0.03)
	rows, err := models.Load(ctx, w.Project, src, spec, true)
	if err != nil {
		return nil, cancelled(ctx, err)
	}
	m, err := model.Train(ctx, rows.Data, spec, func(stage string, f float64) { report(trainStage(stage), 0.05+0.9*f) })
	if err != nil {
		return nil, cancelled(ctx, err)
	}
	report(i18n.T("Saving the model"), 0.97)
	art, err := m.Marshal()
	if err != nil {
		return nil, err
	}
	ref, err := buildReference(m, rows.Data)
	if err != nil {
		return nil, err
	}
	info := &ModelInfo{Name: name, Kind: models.Predictive, Algo: spec.Algo, Target: spec.Target, Source: src,
		Spec: m.Spec, Eval: m.Eval, Seconds: time.Since(start).Seconds(), TrainedAt: time.Now().UTC(), Built: built}
	specJSON, _ := json.Marshal(m.Spec)
	evalJSON, err := json.Marshal(m.Eval)
	if err != nil {
		return nil, i18n.Errorf("cannot store the evaluation: %v", err)
	}
	err = models.Save(ctx, w.Project, models.Record{Name: name, Kind: models.Predictive, Algo: spec.Algo, Target: spec.Target,
		Source: src, Spec: specJSON, Eval: evalJSON, Seconds: info.Seconds, Reference: ref}, art, r.Replace)
	if err != nil {
		return nil, err
	}
	report(i18n.T("Done"), 1)
	return info, nil
}

// cancelled turns an error caused by the user's cancel into ErrCancelled.
func cancelled(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ErrCancelled
	}
	return err
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// targetStage is the progress text for building a target table.
func targetStage(kind string) string {
	switch kind {
	case models.Churn:
		return i18n.T("Building the churn target")
	case models.Purchase:
		return i18n.T("Building the purchase target")
	}
	return i18n.T("Building the %s target", kind)
}

// trainStage is the progress text for a stage model.Train reports
// ("splitting", "fitting random_forest"...), in the language in use.
func trainStage(stage string) string {
	switch stage {
	case "splitting":
		return i18n.T("Splitting")
	case "preparing features":
		return i18n.T("Preparing features")
	case "evaluating":
		return i18n.T("Evaluating")
	case "done":
		return i18n.T("Done")
	}
	if algo, ok := strings.CutPrefix(stage, "fitting "); ok {
		return i18n.T("Fitting %s", algo)
	}
	return capitalise(stage)
}

// sanitize keeps letters, digits and _ so a column name can be part of a
// model name.
func sanitize(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	out := strings.Trim(b.String(), "_")
	if out == "" || out[0] < 'A' || (out[0] > 'Z' && out[0] < 'a') {
		out = "m_" + out
	}
	return out
}

// Models lists the stored predictive models, newest first.
func (w *Workspace) Models(ctx context.Context) ([]ModelInfo, error) {
	recs, err := models.List(ctx, w.Project, models.Predictive)
	if err != nil {
		return nil, err
	}
	out := make([]ModelInfo, 0, len(recs))
	for _, r := range recs {
		info, err := infoOf(r)
		if err != nil {
			return nil, err
		}
		out = append(out, *info)
	}
	return out, nil
}

func infoOf(r models.Record) (*ModelInfo, error) {
	info := &ModelInfo{Name: r.Name, Kind: r.Kind, Algo: r.Algo, Target: r.Target, Source: r.Source, Seconds: r.Seconds, TrainedAt: r.TrainedAt}
	if err := json.Unmarshal(r.Spec, &info.Spec); err != nil {
		return nil, i18n.Errorf("model %q: damaged settings: %v", r.Name, err)
	}
	if err := json.Unmarshal(r.Eval, &info.Eval); err != nil {
		return nil, i18n.Errorf("model %q: damaged evaluation: %v", r.Name, err)
	}
	return info, nil
}

// LoadModel returns a stored model ready to score.
func (w *Workspace) LoadModel(ctx context.Context, name string) (*ModelInfo, *model.Model, error) {
	r, art, err := models.Get(ctx, w.Project, name)
	if err != nil {
		return nil, nil, err
	}
	if r.Kind != models.Predictive {
		return nil, nil, i18n.Errorf("%q is a text model; use it with 'text'", name)
	}
	if strings.HasPrefix(r.Algo, PluginAlgoPrefix) {
		return nil, nil, i18n.Errorf("%w: %q was trained by a plugin (%s)", errPluginModel, name, strings.TrimPrefix(r.Algo, PluginAlgoPrefix))
	}
	info, err := infoOf(*r)
	if err != nil {
		return nil, nil, err
	}
	m, err := model.Unmarshal(art)
	if err != nil {
		return nil, nil, i18n.Errorf("model %q: %v; train it again", name, err)
	}
	return info, m, nil
}

// DeleteModel removes a model and its scores.
func (w *Workspace) DeleteModel(ctx context.Context, name string) error {
	return models.Delete(ctx, w.Project, name)
}

// scoringSource is where a model's customers are read for scoring: table
// when given, else today's features for a target model (asOf is their
// date), else its training table.
func (w *Workspace) scoringSource(ctx context.Context, info *ModelInfo, table string) (src models.Source, asOf string, err error) {
	switch {
	case table != "":
		return models.Source{Table: table}, "", nil
	case info.Source.Target != nil:
		tmp, asOf, err := models.CurrentFeatures(ctx, w.Project, *info.Source.Target)
		return models.Source{Table: tmp, IDColumn: "customer_id"}, asOf, err
	}
	return models.Source{Table: info.Source.Table, Segment: info.Source.Segment}, "", nil
}

// ScoreResult summarises a scoring run.
type ScoreResult struct {
	Model     string
	Table     string // where the rows came from ("" for today's features)
	Column    string // the model_scores column written
	Customers int
	Mean      float64
	// AsOf is the date today's features were computed at, for target models.
	AsOf string
}

// Score scores customers with a stored model and writes the scores to
// model_scores.score_NAME (replacing earlier ones), where segment rules can
// use them. With no table, a churn or purchase model scores every customer
// on features as of the last order; other models score their training
// table.
func (w *Workspace) Score(ctx context.Context, name, table string, progress Progress) (*ScoreResult, error) {
	report := func(stage string, f float64) {
		if progress != nil {
			progress(stage, f)
		}
	}
	if r, art, err := models.Get(ctx, w.Project, name); err == nil && strings.HasPrefix(r.Algo, PluginAlgoPrefix) {
		return w.scoreWithPlugin(ctx, r, art, table, report)
	}
	info, m, err := w.LoadModel(ctx, name)
	if err != nil {
		return nil, err
	}
	report(i18n.T("Reading customers"), 0.05)
	src, asOf, err := w.scoringSource(ctx, info, table)
	if err != nil {
		return nil, err
	}
	res := &ScoreResult{Model: info.Name, Table: src.Table, Column: models.ScoreColumn(info.Name), AsOf: asOf}
	if asOf != "" {
		res.Table = ""
	}
	rows, err := models.Load(ctx, w.Project, src, m.Spec, false)
	if err != nil {
		return nil, cancelled(ctx, err)
	}
	if len(rows.IDs) > 0 && rows.IDs[0] == "" {
		return nil, i18n.Errorf("table %q has no customer id column, so its scores cannot be stored per customer; set the role first", src.Table)
	}
	report(i18n.T("Scoring"), 0.4)
	p, err := m.Score(rows.Data)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, ErrCancelled
	}
	report(i18n.T("Saving scores"), 0.7)
	if err := w.storeScores(ctx, res, rows.IDs, p, fmt.Sprintf("model %s on %s", info.Name, src.Table)); err != nil {
		return nil, err
	}
	report(i18n.T("Done"), 1)
	return res, nil
}

// storeScores writes one model's scores and fills in the result's summary.
func (w *Workspace) storeScores(ctx context.Context, res *ScoreResult, ids []string, p []float64, detail string) error {
	for _, v := range p {
		res.Mean += v
	}
	res.Customers = len(p)
	res.Mean /= math.Max(1, float64(len(p)))
	return models.WriteColumn(ctx, w.Project, res.Column, ids, p, "score", detail)
}

// CustomerExplanation is why a model scores one customer as it does.
type CustomerExplanation struct {
	Model    string
	Customer string
	Score    float64
	explain.Explanation
}

// Explain explains one customer's score: the top reasons in words. The
// customer is looked up where Score would read them (table, or today's
// features, or the training table).
func (w *Workspace) Explain(ctx context.Context, name, customer, table string, top int) (*CustomerExplanation, error) {
	info, m, err := w.LoadModel(ctx, name)
	if err != nil {
		return nil, err
	}
	src, _, err := w.scoringSource(ctx, info, table)
	if err != nil {
		return nil, err
	}
	src.Customer = customer
	rows, err := models.Load(ctx, w.Project, src, m.Spec, false)
	if err != nil {
		return nil, i18n.Errorf("customer %q is not among the rows model %s scores (%s)", customer, info.Name, src.Table)
	}
	s, ex, err := m.Explain(rows.Data, 0, top)
	if err != nil {
		return nil, err
	}
	return &CustomerExplanation{Model: info.Name, Customer: customer, Score: s, Explanation: ex}, nil
}

// EvaluateModel measures a stored model on the rows of table (all of them,
// with their target), e.g. a later period built with BuildTarget. With no
// table it returns the stored test-split evaluation.
func (w *Workspace) EvaluateModel(ctx context.Context, name, table string) (*model.Evaluation, error) {
	info, m, err := w.LoadModel(ctx, name)
	if err != nil {
		return nil, err
	}
	if table == "" {
		return &info.Eval, nil
	}
	rows, err := models.Load(ctx, w.Project, models.Source{Table: table}, m.Spec, true)
	if err != nil {
		return nil, err
	}
	ev, err := m.Evaluate(ctx, rows.Data)
	return ev, cancelled(ctx, err)
}

// BuildTarget writes a churn or purchase training table (see models.Target).
func (w *Workspace) BuildTarget(ctx context.Context, t models.Target, table string) (*models.Built, error) {
	return models.BuildTarget(ctx, w.Project, t, table)
}

// errPluginModel marks operations that need the model in process.
var errPluginModel = errors.New("this needs a built-in model")

// scoreWithPlugin is Score for a plugin-trained model.
func (w *Workspace) scoreWithPlugin(ctx context.Context, r *models.Record, art []byte, table string, report func(string, float64)) (*ScoreResult, error) {
	info, err := infoOf(*r)
	if err != nil {
		return nil, err
	}
	src, asOf, err := w.scoringSource(ctx, info, table)
	if err != nil {
		return nil, err
	}
	res := &ScoreResult{Model: info.Name, Table: src.Table, Column: models.ScoreColumn(info.Name), AsOf: asOf}
	if asOf != "" {
		res.Table = ""
	}
	rows, err := models.Load(ctx, w.Project, src, info.Spec, false)
	if err != nil {
		return nil, cancelled(ctx, err)
	}
	if len(rows.IDs) > 0 && rows.IDs[0] == "" {
		return nil, i18n.Errorf("table %q has no customer id column, so its scores cannot be stored per customer; set the role first", src.Table)
	}
	report(i18n.T("Scoring in the plugin"), 0.4)
	p, err := w.scorePlugin(ctx, art, rows)
	if err != nil {
		return nil, err
	}
	if err := w.storeScores(ctx, res, rows.IDs, p, fmt.Sprintf("model %s (plugin) on %s", info.Name, src.Table)); err != nil {
		return nil, err
	}
	report(i18n.T("Done"), 1)
	return res, nil
}

// algoShort names an algorithm in a model name: the component of a plugin
// algorithm ("logreg" for plugin:example.com/x/logreg).
func algoShort(algo string) string {
	if _, comp, err := splitPluginAlgo(algo); err == nil {
		return sanitize(comp)
	}
	return algo
}
