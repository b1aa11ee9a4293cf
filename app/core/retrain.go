package core

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/marketbench/marketbench/analytics/eval"
	"github.com/marketbench/marketbench/analytics/model"
	"github.com/marketbench/marketbench/analytics/prep"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/models"
)

// DefaultMinGain is the least improvement a challenger needs to replace
// the champion: 0.005 of AUC, or RMSE 0.5% lower.
const DefaultMinGain = 0.005

// holdoutShare is the share of rows held out to compare the two models.
const holdoutShare = 0.2

// holdoutSeed fixes the random holdout, so the same rows compare the same
// way run after run.
const holdoutSeed = 13

// Causes of a retraining, as kept in the history.
const (
	CauseManual   = "manual"
	CauseSchedule = "schedule"
)

// RetrainOptions tune Retrain.
type RetrainOptions struct {
	// MinGain is the least improvement that promotes the challenger: in AUC
	// for yes/no models, as a share of the champion's RMSE for amounts.
	// 0 means DefaultMinGain; a negative value is refused.
	MinGain float64
	// Cause is kept in the history: CauseManual (default) or CauseSchedule.
	Cause string
	// Now is the time kept in the history; zero means the clock's.
	Now time.Time
}

// RetrainResult is one champion/challenger comparison.
type RetrainResult struct {
	Model string `json:"model"`
	// Metric is "auc" (higher is better) or "rmse" (lower is better).
	Metric     string  `json:"metric"`
	Champion   float64 `json:"champion"`
	Challenger float64 `json:"challenger"`
	// Gain is the challenger's improvement in the terms of MinGain.
	Gain    float64 `json:"gain"`
	MinGain float64 `json:"min_gain"`
	// Holdout is "recent" (the newest rows by the table's order date) or
	// "random" (a fixed random 20%).
	Holdout     string    `json:"holdout"`
	HoldoutRows int       `json:"holdout_rows"`
	TrainRows   int       `json:"train_rows"`
	Promoted    bool      `json:"promoted"`
	Reason      string    `json:"reason"`
	At          time.Time `json:"at"`
}

// Reasons kept in the history (in English; shown translated).
var (
	reasonBetter    = i18n.Mark("the challenger beat the champion by at least the minimum gain")
	reasonNotBetter = i18n.Mark("the challenger did not beat the champion by the minimum gain")
)

// Retrain trains a challenger with the champion's own settings (features,
// target, algorithm and options) on the current data, compares both on a
// recent holdout the challenger did not learn from, and promotes the
// challenger under the champion's name only when it is better by at least
// the minimum gain. Every comparison is kept (see ModelHistory) and
// audited. A churn or purchase model's target is rebuilt with the latest
// cut-off the orders allow.
func (w *Workspace) Retrain(ctx context.Context, name string, opt RetrainOptions, progress Progress) (*RetrainResult, error) {
	report := func(stage string, f float64) {
		if progress != nil {
			progress(stage, f)
		}
	}
	if opt.MinGain < 0 || math.IsNaN(opt.MinGain) {
		return nil, i18n.Errorf("the minimum gain cannot be negative (got %v)", opt.MinGain)
	}
	if opt.MinGain == 0 {
		opt.MinGain = DefaultMinGain
	}
	if opt.Cause == "" {
		opt.Cause = CauseManual
	}
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	info, champ, err := w.LoadModel(ctx, name)
	if err != nil {
		return nil, err
	}
	res := &RetrainResult{Model: info.Name, Metric: "auc", MinGain: opt.MinGain, At: opt.Now.UTC(), Champion: math.NaN(), Challenger: math.NaN()}
	if model.Regression(champ.Spec.Algo) {
		res.Metric = "rmse"
	}
	start := time.Now()
	chall, src, all, err := w.challenge(ctx, info, champ, res, report)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ErrCancelled
		}
		// A failed run is kept too: a schedule that keeps failing should
		// say so in the history, not only in a log nobody reads.
		res.Reason = i18n.Error(err)
		if kerr := w.keepComparison(ctx, res, opt.Cause, nil); kerr != nil {
			return nil, kerr
		}
		return nil, err
	}
	res.Promoted = res.Gain > 0 && res.Gain >= opt.MinGain
	res.Reason = reasonNotBetter
	var save *models.Record
	var art []byte
	if res.Promoted {
		res.Reason = reasonBetter
		report(i18n.T("Saving the model"), 0.95)
		if art, err = chall.Marshal(); err != nil {
			return nil, err
		}
		ref, err := buildReference(chall, all)
		if err != nil {
			return nil, err
		}
		specJSON, _ := json.Marshal(chall.Spec)
		evalJSON, err := json.Marshal(chall.Eval)
		if err != nil {
			return nil, i18n.Errorf("cannot store the evaluation: %v", err)
		}
		save = &models.Record{Name: info.Name, Kind: models.Predictive, Algo: chall.Spec.Algo, Target: chall.Spec.Target, Source: src,
			Spec: specJSON, Eval: evalJSON, Seconds: time.Since(start).Seconds(), Reference: ref}
	}
	var startRef json.RawMessage
	if !res.Promoted {
		// A champion from before drift monitoring gets its reference from
		// today's rows, so one retrain starts monitoring either way.
		if have, _, err := models.Reference(ctx, w.Project, info.Name); err == nil && have == nil {
			if startRef, err = buildReference(champ, all); err != nil {
				return nil, err
			}
		}
	}
	if err := w.keepComparison(ctx, res, opt.Cause, func(p *storage.Project) error {
		if startRef != nil {
			return models.SaveReference(ctx, p, info.Name, startRef)
		}
		if save == nil {
			return nil
		}
		return models.Save(ctx, p, *save, art, true)
	}); err != nil {
		return nil, err
	}
	report(i18n.T("Done"), 1)
	return res, nil
}

// challenge builds the current data, splits off the holdout, trains the
// challenger and measures both models. It returns the challenger, its
// source and all current rows (for its reference).
func (w *Workspace) challenge(ctx context.Context, info *ModelInfo, champ *model.Model, res *RetrainResult, report func(string, float64)) (*model.Model, models.Source, model.Data, error) {
	src := models.Source{Table: info.Source.Table, Segment: info.Source.Segment}
	if t := info.Source.Target; t != nil {
		report(targetStage(t.Kind), 0.01)
		next := *t
		next.Cutoff = "" // the latest cut-off with a whole outcome window
		b, err := models.BuildTarget(ctx, w.Project, next, info.Source.Table)
		if err != nil {
			return nil, src, model.Data{}, err
		}
		src.Target = &b.Target
	}
	spec := champ.Spec
	report(i18n.T("Reading %s", src.Table), 0.04)
	train, hold, all, err := w.holdout(ctx, src, spec, res)
	if err != nil {
		return nil, src, model.Data{}, err
	}
	res.TrainRows, res.HoldoutRows = train.Rows(), hold.Rows()
	chall, err := model.Train(ctx, train, spec, func(stage string, f float64) { report(trainStage(stage), 0.08+0.8*f) })
	if err != nil {
		return nil, src, model.Data{}, err
	}
	report(i18n.T("Comparing the champion and the challenger"), 0.9)
	if res.Champion, err = holdoutMetric(champ, hold); err != nil {
		return nil, src, model.Data{}, err
	}
	if res.Challenger, err = holdoutMetric(chall, hold); err != nil {
		return nil, src, model.Data{}, err
	}
	if res.Metric == "auc" {
		res.Gain = res.Challenger - res.Champion
	} else {
		res.Gain = (res.Champion - res.Challenger) / math.Max(res.Champion, 1e-12)
	}
	return chall, src, all, nil
}

// holdout reads the current rows and splits them: the newest 20% by the
// table's order date when it has one, else a fixed random 20%.
func (w *Workspace) holdout(ctx context.Context, src models.Source, spec model.Spec, res *RetrainResult) (train, hold, all model.Data, err error) {
	date := ""
	if src.Target == nil {
		if date, err = w.ColumnFor(ctx, src.Table, storage.OrderDate); err != nil {
			return train, hold, all, err
		}
	}
	if date != "" {
		d, t := storage.Quote(date), storage.Quote(src.Table)
		cond := d + ` > (SELECT quantile_disc(` + d + `, 0.8) FROM ` + t + `)`
		var recent int64
		if err := w.Q().QueryRowContext(ctx, `SELECT count(*) FROM `+t+` WHERE `+cond).Scan(&recent); err != nil {
			return train, hold, all, i18n.Errorf("cannot read the dates of %q: %s", src.Table, storage.FirstLine(err.Error()))
		}
		// Too few recent rows (most share one date) fall back to a random
		// holdout, which can still compare the models.
		if recent >= 10 {
			older, newer := src, src
			older.Where, newer.Where = `NOT (`+cond+`) OR `+d+` IS NULL`, cond
			o, err := models.Load(ctx, w.Project, older, spec, true)
			if err != nil {
				return train, hold, all, err
			}
			n, err := models.Load(ctx, w.Project, newer, spec, true)
			if err != nil {
				return train, hold, all, err
			}
			res.Holdout = "recent"
			return o.Data, n.Data, concat(o.Data, n.Data), nil
		}
	}
	rows, err := models.Load(ctx, w.Project, src, spec, true)
	if err != nil {
		return train, hold, all, err
	}
	all = rows.Data
	strata := make([]string, all.Rows())
	if !model.Regression(spec.Algo) {
		copy(strata, all.Target)
	}
	tr, te, err := prep.Split(strata, holdoutShare, holdoutSeed)
	if err != nil {
		// A class too rare to stratify: split without strata.
		if tr, te, err = prep.Split(make([]int, all.Rows()), holdoutShare, holdoutSeed); err != nil {
			return train, hold, all, i18n.Errorf("cannot hold out rows to compare the models: %v", err)
		}
	}
	res.Holdout = "random"
	return all.Subset(tr), all.Subset(te), all, nil
}

// concat is a's rows then b's.
func concat(a, b model.Data) model.Data {
	n := a.Rows() + b.Rows()
	out := model.Data{Target: append(append([]string(nil), a.Target...), b.Target...)}
	if a.Num != nil {
		_, c := a.Num.Dims()
		num := make([]float64, 0, n*c)
		for _, d := range []model.Data{a, b} {
			for i := range d.Rows() {
				num = append(num, d.Num.RawRowView(i)...)
			}
		}
		out.Num = mat.NewDense(n, c, num)
	}
	if a.Cat != nil {
		out.Cat = append(append([][]string(nil), a.Cat...), b.Cat...)
	}
	return out
}

// holdoutMetric is m's AUC (or RMSE) on the holdout rows with a target.
func holdoutMetric(m *model.Model, d model.Data) (float64, error) {
	var y []float64
	if model.Regression(m.Spec.Algo) {
		var keep []int
		var err error
		if y, _, keep, err = model.EncodeTarget(m.Spec, d.Target); err != nil {
			return math.NaN(), err
		}
		d = d.Subset(keep)
	} else {
		// The model's Classes say what its scores mean; rows without an
		// outcome are left out.
		var keep []int
		for i, v := range d.Target {
			switch v {
			case "":
				continue
			case m.Classes[1]:
				y = append(y, 1)
			case m.Classes[0]:
				y = append(y, 0)
			default:
				return math.NaN(), i18n.Errorf("%q holds %q in the holdout, but the model knows only %q and %q", m.Spec.Target, v, m.Classes[0], m.Classes[1])
			}
			keep = append(keep, i)
		}
		d = d.Subset(keep)
	}
	if len(y) == 0 {
		return math.NaN(), i18n.Errorf("no holdout row has a value for %q", m.Spec.Target)
	}
	p, err := m.Score(d)
	if err != nil {
		return math.NaN(), err
	}
	if model.Regression(m.Spec.Algo) {
		return eval.RMSE(y, p)
	}
	yi := make([]int, len(y))
	for i, v := range y {
		yi[i] = int(v)
	}
	auc, err := eval.ROCAUC(yi, p)
	if err != nil {
		return math.NaN(), i18n.Errorf("the holdout has only one outcome, so the models cannot be compared by AUC; retrain when more data has arrived")
	}
	return auc, nil
}

// keepComparison writes the comparison to the history, the last retrain
// time and the audit log in one transaction with then (promotion).
func (w *Workspace) keepComparison(ctx context.Context, res *RetrainResult, cause string, then func(p *storage.Project) error) error {
	return w.Tx(ctx, func(tx *storage.Tx) error {
		p := w.InTx(tx)
		if then != nil {
			if err := then(p); err != nil {
				return err
			}
		}
		if err := models.AddComparison(ctx, tx, models.Comparison{Model: res.Model, At: res.At, Metric: res.Metric, Champion: res.Champion,
			Challenger: res.Challenger, MinGain: res.MinGain, Holdout: res.Holdout, HoldoutRows: int64(res.HoldoutRows),
			TrainRows: int64(res.TrainRows), Promoted: res.Promoted, Reason: res.Reason, Cause: cause}); err != nil {
			return err
		}
		if err := models.MarkRetrained(ctx, tx, res.Model, res.At); err != nil {
			return err
		}
		verdict := "kept the champion"
		if res.Promoted {
			verdict = "promoted the challenger"
		}
		return p.Audit(ctx, tx, "retrain", res.Model, -1, -1,
			fmt.Sprintf("%s: %s champion %.4f, challenger %.4f on a %s holdout of %d rows (%s)", verdict, res.Metric, res.Champion, res.Challenger, res.Holdout, res.HoldoutRows, cause))
	})
}

// Comparison is one kept champion/challenger run.
type Comparison = models.Comparison

// ModelHistory lists a model's champion/challenger comparisons, newest
// first, with reasons in the language in use.
func (w *Workspace) ModelHistory(ctx context.Context, name string) ([]Comparison, error) {
	r, _, err := models.Get(ctx, w.Project, name)
	if err != nil {
		return nil, err
	}
	hs, err := models.History(ctx, w.Project, r.Name)
	for i := range hs {
		hs[i].Reason = i18n.T(hs[i].Reason)
	}
	return hs, err
}
