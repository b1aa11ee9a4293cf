package core

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/marketbench/marketbench/analytics/drift"
	"github.com/marketbench/marketbench/analytics/model"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage/models"
)

// reference is what a model keeps of its training rows for drift: the
// bins and shares of each feature and of its scores.
type reference struct {
	Rows     int           `json:"rows"`
	Features []featureBins `json:"features"`
	Score    drift.Bins    `json:"score"`
}

type featureBins struct {
	Name string `json:"name"`
	drift.Bins
}

// scoreSample caps the rows scored for a score distribution: deciles of
// 100,000 scores are as good as of a million, and scoring is the costly
// part of drift.
const scoreSample = 100_000

// evenRows picks at most max row numbers of n, evenly spaced, so the same
// data always gives the same sample.
func evenRows(n, max int) []int {
	if n <= max {
		return nil
	}
	out := make([]int, max)
	for i := range out {
		out[i] = int(int64(i) * int64(n) / int64(max))
	}
	return out
}

// scoresOf scores d (or an even sample of it) with m.
func scoresOf(m *model.Model, d model.Data) ([]float64, error) {
	if idx := evenRows(d.Rows(), scoreSample); idx != nil {
		d = d.Subset(idx)
	}
	return m.Score(d)
}

// columnOf returns numeric column j of d.
func columnOf(d model.Data, j int) []float64 {
	out := make([]float64, d.Rows())
	for i := range out {
		out[i] = d.Num.At(i, j)
	}
	return out
}

func categoryOf(d model.Data, j int) []string {
	out := make([]string, len(d.Cat))
	for i, r := range d.Cat {
		out[i] = r[j]
	}
	return out
}

// buildReference computes a model's reference from the rows it was
// trained on (all of them, test rows included: the population it knows).
func buildReference(m *model.Model, d model.Data) (json.RawMessage, error) {
	ref := reference{Rows: d.Rows()}
	for j, f := range m.Spec.Numeric {
		ref.Features = append(ref.Features, featureBins{f, drift.NewNumeric(columnOf(d, j))})
	}
	for j, f := range m.Spec.Categorical {
		ref.Features = append(ref.Features, featureBins{f, drift.NewCategorical(categoryOf(d, j))})
	}
	p, err := scoresOf(m, d)
	if err != nil {
		return nil, err
	}
	ref.Score = drift.NewNumeric(p)
	return json.Marshal(ref)
}

// FeatureDrift is the drift of one feature, or of the model's score.
type FeatureDrift struct {
	Feature string `json:"feature"`
	// Kind is "numeric", "categorical" or "score".
	Kind  string      `json:"kind"`
	PSI   float64     `json:"psi"`
	Level drift.Level `json:"level"`
	// Words say the level in the language in use ("major shift").
	Words string `json:"words"`
}

// DriftReport compares the rows a model scores today with the rows it was
// trained on.
type DriftReport struct {
	Model string `json:"model"`
	// Table is where today's rows came from; "" means today's features of a
	// churn or purchase model, computed as of AsOf.
	Table         string    `json:"table"`
	AsOf          string    `json:"as_of,omitempty"`
	Rows          int       `json:"rows"`
	ReferenceRows int       `json:"reference_rows"`
	TrainedAt     time.Time `json:"trained_at"`
	ComputedAt    time.Time `json:"computed_at"`
	// Features are sorted by PSI, largest first.
	Features []FeatureDrift `json:"features"`
	Score    FeatureDrift   `json:"score"`
	// Error, when set, says why upkeep could not compute the drift.
	Error string `json:"error,omitempty"`
}

// Alerts are the report's major shifts (PSI above 0.25), score first.
func (r *DriftReport) Alerts() []DriftAlert {
	var out []DriftAlert
	for _, f := range append([]FeatureDrift{r.Score}, r.Features...) {
		if f.Level == drift.Major {
			out = append(out, DriftAlert{Model: r.Model, Feature: f.Feature, Kind: f.Kind, PSI: f.PSI, Level: f.Level, Words: f.Words, At: r.ComputedAt})
		}
	}
	return out
}

// DriftAlert is one major shift: a model's feature (or score) whose PSI is
// above 0.25.
type DriftAlert struct {
	Model   string      `json:"model"`
	Feature string      `json:"feature"`
	Kind    string      `json:"kind"`
	PSI     float64     `json:"psi"`
	Level   drift.Level `json:"level"`
	Words   string      `json:"words"`
	// At is when the drift was computed.
	At time.Time `json:"at"`
}

// Message says the alert in one line.
func (a DriftAlert) Message() string {
	if a.Kind == "score" {
		return i18n.T("%s: the scores have drifted (PSI %.2f, %s); retrain or check the data", a.Model, a.PSI, a.Words)
	}
	return i18n.T("%s: feature %s has drifted (PSI %.2f, %s); retrain or check the data", a.Model, a.Feature, a.PSI, a.Words)
}

// ErrNoReference marks a model trained before drift monitoring existed.
var ErrNoReference = errors.New("no reference distributions")

func noReference(name string) error {
	return i18n.Errorf("%w: model %q was trained before drift monitoring; retrain once to start drift monitoring", ErrNoReference, name)
}

// Drift measures how far the rows model scores today (table, or where
// Score reads them when table is "") have moved from its training rows:
// the population stability index per feature and for the score. The
// result for the default rows is kept, so the Models screen and upkeep
// can show it without recomputing.
func (w *Workspace) Drift(ctx context.Context, name, table string) (*DriftReport, error) {
	return w.drift(ctx, name, table, time.Now())
}

func (w *Workspace) drift(ctx context.Context, name, table string, now time.Time) (*DriftReport, error) {
	info, m, err := w.LoadModel(ctx, name)
	if err != nil {
		return nil, err
	}
	raw, _, err := models.Reference(ctx, w.Project, info.Name)
	if err != nil {
		return nil, err
	}
	if raw == nil {
		return nil, noReference(info.Name)
	}
	var ref reference
	if err := json.Unmarshal(raw, &ref); err != nil {
		return nil, i18n.Errorf("model %q: damaged reference distributions (%v); retrain it", info.Name, err)
	}
	// Read the fingerprint before the rows, so a change while reading is
	// seen next time rather than missed.
	data, err := models.DataFingerprint(ctx, w.Project, driftTables(info)...)
	if err != nil {
		return nil, err
	}
	src, asOf, err := w.scoringSource(ctx, info, table)
	if err != nil {
		return nil, err
	}
	rows, err := models.Load(ctx, w.Project, src, m.Spec, false)
	if err != nil {
		return nil, cancelled(ctx, err)
	}
	rep := &DriftReport{Model: info.Name, Table: src.Table, AsOf: asOf, Rows: rows.Data.Rows(), ReferenceRows: ref.Rows,
		TrainedAt: info.TrainedAt, ComputedAt: now.UTC()}
	if asOf != "" {
		rep.Table = ""
	}
	num := map[string]int{}
	for j, f := range m.Spec.Numeric {
		num[strings.ToLower(f)] = j
	}
	cat := map[string]int{}
	for j, f := range m.Spec.Categorical {
		cat[strings.ToLower(f)] = j
	}
	for _, fb := range ref.Features {
		var psi float64
		var err error
		if j, ok := num[strings.ToLower(fb.Name)]; ok && fb.Kind == drift.Numeric {
			psi, err = fb.Numbers(columnOf(rows.Data, j))
		} else if j, ok := cat[strings.ToLower(fb.Name)]; ok && fb.Kind == drift.Categorical {
			psi, err = fb.Values(categoryOf(rows.Data, j))
		} else {
			continue // the reference is of an older spec; nothing to compare
		}
		if err != nil {
			return nil, err
		}
		rep.Features = append(rep.Features, featureDrift(fb.Name, fb.Kind, psi))
	}
	slices.SortStableFunc(rep.Features, func(a, b FeatureDrift) int { return cmp.Compare(b.PSI, a.PSI) })
	if err := ctx.Err(); err != nil {
		return nil, ErrCancelled
	}
	p, err := scoresOf(m, rows.Data)
	if err != nil {
		return nil, err
	}
	psi, err := ref.Score.Numbers(p)
	if err != nil {
		return nil, err
	}
	rep.Score = featureDrift("score", "score", psi)
	if table == "" {
		js, err := json.Marshal(rep)
		if err != nil {
			return nil, err
		}
		if err := models.SaveDrift(ctx, w.Project, info.Name, now, data, js); err != nil {
			return nil, err
		}
	}
	return rep, nil
}

func featureDrift(name, kind string, psi float64) FeatureDrift {
	lv := drift.Read(psi)
	return FeatureDrift{Feature: name, Kind: kind, PSI: psi, Level: lv, Words: i18n.Say(lv.Words())}
}

// driftTables are the tables whose changes change a model's drift: its
// training table, or the orders and customers a target model reads.
func driftTables(info *ModelInfo) []string {
	if t := info.Source.Target; t != nil {
		return []string{t.Orders, t.Customers}
	}
	return []string{info.Source.Table}
}

// DriftAlerts returns the major shifts of every model as last computed
// (by Drift or ModelUpkeep), without computing anything: what the Models
// screen shows.
func (w *Workspace) DriftAlerts(ctx context.Context) ([]DriftAlert, error) {
	ups, err := models.Upkeeps(ctx, w.Project)
	if err != nil {
		return nil, err
	}
	var out []DriftAlert
	for _, u := range ups {
		if rep := storedDrift(u); rep != nil {
			out = append(out, rep.Alerts()...)
		}
	}
	slices.SortFunc(out, func(a, b DriftAlert) int {
		return cmp.Or(cmp.Compare(a.Model, b.Model), cmp.Compare(b.PSI, a.PSI))
	})
	return out, nil
}

// storedDrift decodes the kept drift, with its words in today's language.
func storedDrift(u models.Upkeep) *DriftReport {
	if u.DriftJSON == nil {
		return nil
	}
	var rep DriftReport
	if json.Unmarshal(u.DriftJSON, &rep) != nil {
		return nil
	}
	rep.Score.Words = i18n.Say(rep.Score.Level.Words())
	for i := range rep.Features {
		rep.Features[i].Words = i18n.Say(rep.Features[i].Level.Words())
	}
	return &rep
}
