package core

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/marketbench/marketbench/analytics/model"
	"github.com/marketbench/marketbench/analytics/msg"
	"github.com/marketbench/marketbench/analytics/prep"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/sdk/client"
	"github.com/marketbench/marketbench/storage/models"
)

// PluginAlgoPrefix marks an algorithm served by a model plugin:
// "plugin:<plugin id>/<component>".
const PluginAlgoPrefix = "plugin:"

// Algorithm is one entry of the algorithm list: its name and, for people,
// a title and a one-line description (told with i18n.Say).
type Algorithm struct {
	Name         string
	Title, About msg.Msg
	Plugin       bool
}

// Algorithms lists the built-in algorithms and the model components of the
// plugins this project has enabled, which train, score and evaluate the
// same way.
func (w *Workspace) Algorithms(ctx context.Context) []Algorithm {
	var out []Algorithm
	for _, a := range model.Algos() {
		out = append(out, Algorithm{Name: a.Name, Title: a.Title, About: a.About})
	}
	pins, err := w.pins(ctx)
	if err != nil {
		return out
	}
	for id := range pins {
		md, err := w.PluginMetadata(ctx, id)
		if err != nil {
			continue
		}
		for _, c := range md.GetComponents() {
			if c.GetKind() == sdk.KindModel {
				desc := c.GetDescription()
				if desc == "" {
					desc = c.GetTitle()
				}
				out = append(out, Algorithm{Name: PluginAlgoPrefix + id + "/" + c.GetName(), Plugin: true,
					Title: msg.New("%s (plugin %s)", desc, id), About: msg.New("Trained and scored by a plugin; numeric features only.")})
			}
		}
	}
	return out
}

// pluginArtifact is what the project stores for a plugin-trained model.
type pluginArtifact struct {
	Plugin    string     `json:"plugin"`
	Component string     `json:"component"`
	Classes   []string   `json:"classes,omitempty"`
	Spec      model.Spec `json:"spec"`
	Artifact  []byte     `json:"artifact"`
}

func splitPluginAlgo(algo string) (id, component string, err error) {
	rest := strings.TrimPrefix(algo, PluginAlgoPrefix)
	i := strings.LastIndex(rest, "/")
	if i <= 0 || i == len(rest)-1 {
		return "", "", i18n.Errorf("algorithm %q: write plugin:PLUGIN-ID/COMPONENT", algo)
	}
	return rest[:i], rest[i+1:], nil
}

// arrowRows builds record batches of the numeric columns (and the target).
func arrowRows(d model.Data, names []string, target string, y []float64) (array.RecordReader, error) {
	fields := make([]arrow.Field, 0, len(names)+1)
	for _, n := range names {
		fields = append(fields, arrow.Field{Name: n, Type: arrow.PrimitiveTypes.Float64, Nullable: true})
	}
	if y != nil {
		fields = append(fields, arrow.Field{Name: target, Type: arrow.PrimitiveTypes.Float64})
	}
	schema := arrow.NewSchema(fields, nil)
	n := d.Rows()
	const per = 65536
	var recs []arrow.RecordBatch
	for lo := 0; lo < n; lo += per {
		hi := min(n, lo+per)
		b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
		for j := range names {
			fb := b.Field(j).(*array.Float64Builder)
			for i := lo; i < hi; i++ {
				v := d.Num.At(i, j)
				if v != v { // NaN: missing
					fb.AppendNull()
				} else {
					fb.Append(v)
				}
			}
		}
		if y != nil {
			b.Field(len(names)).(*array.Float64Builder).AppendValues(y[lo:hi], nil)
		}
		recs = append(recs, b.NewRecordBatch())
		b.Release()
	}
	return array.NewRecordReader(schema, recs)
}

// trainPlugin trains with a model plugin on the same split and target as a
// built-in model and evaluates its held-out scores the same way.
func (w *Workspace) trainPlugin(ctx context.Context, name string, src models.Source, spec model.Spec, built *models.Built, replace bool,
	report func(string, float64)) (*ModelInfo, error) {
	start := time.Now()
	id, component, err := splitPluginAlgo(spec.Algo)
	if err != nil {
		return nil, err
	}
	if len(spec.Categorical) > 0 {
		return nil, i18n.Errorf("model plugins take numeric features; %s is text (leave it out or encode it first)", strings.Join(spec.Categorical, ", "))
	}
	proc, _, err := w.enabled(ctx, id)
	if err != nil {
		return nil, err
	}
	var task string
	if err := proc.Call(ctx, func(ctx context.Context, c *client.Conn) (err error) {
		task, err = c.Describe(ctx, component)
		return err
	}); err != nil {
		return nil, err
	}
	regression := task == sdk.Regression
	report(i18n.T("Reading %s", src.Table), 0.05)
	rows, err := models.Load(ctx, w.Project, src, spec, true)
	if err != nil {
		return nil, cancelled(ctx, err)
	}
	encSpec := spec
	encSpec.Algo = model.LogReg
	if regression {
		encSpec.Algo = model.LinReg
	}
	y, classes, keep, err := model.EncodeTarget(encSpec, rows.Data.Target)
	if err != nil {
		return nil, err
	}
	d := rows.Data.Subset(keep)
	strata := make([]int, len(y))
	if !regression {
		for i, v := range y {
			strata[i] = int(v)
		}
	}
	ts := spec.TestSize
	if ts == 0 {
		ts = 0.2
	}
	trIdx, teIdx, err := prep.Split(strata, ts, spec.Seed)
	if err != nil {
		return nil, i18n.Errorf("cannot split the rows into training and test: %v", err)
	}
	train, test := d.Subset(trIdx), d.Subset(teIdx)
	yTr, yTe := pickF(y, trIdx), pickF(y, teIdx)
	report(i18n.T("Training in %s", id), 0.2)
	trRows, err := arrowRows(train, spec.Numeric, spec.Target, yTr)
	if err != nil {
		return nil, err
	}
	var art []byte
	var metrics map[string]float64
	err = proc.Call(ctx, func(ctx context.Context, c *client.Conn) (err error) {
		art, metrics, err = c.Train(ctx, component, nil, spec.Target, trRows)
		return err
	})
	if err != nil {
		return nil, cancelled(ctx, fmt.Errorf("%s: %w", id, err))
	}
	report(i18n.T("Scoring the test rows"), 0.7)
	p, err := w.pluginPredict(ctx, id, component, art, test, spec.Numeric)
	if err != nil {
		return nil, err
	}
	ev, err := model.ScoreEvaluation(yTe, p, yTr, regression)
	if err != nil {
		return nil, i18n.Errorf("%s returned unusable scores: %w", id, err)
	}
	ev.Classes = classes
	_ = metrics
	stored, err := json.Marshal(pluginArtifact{Plugin: id, Component: component, Classes: classes, Spec: spec, Artifact: art})
	if err != nil {
		return nil, err
	}
	info := &ModelInfo{Name: name, Kind: models.Predictive, Algo: spec.Algo, Target: spec.Target, Source: src, Spec: spec, Eval: *ev,
		Seconds: time.Since(start).Seconds(), TrainedAt: time.Now().UTC(), Built: built}
	specJSON, _ := json.Marshal(spec)
	evJSON, err := json.Marshal(ev)
	if err != nil {
		return nil, err
	}
	if err := models.Save(ctx, w.Project, models.Record{Name: name, Kind: models.Predictive, Algo: spec.Algo, Target: spec.Target, Source: src,
		Spec: specJSON, Eval: evJSON, Seconds: info.Seconds}, stored, replace); err != nil {
		return nil, err
	}
	report(i18n.T("Done"), 1)
	return info, nil
}

func (w *Workspace) pluginPredict(ctx context.Context, id, component string, art []byte, d model.Data, names []string) ([]float64, error) {
	proc, _, err := w.enabled(ctx, id)
	if err != nil {
		return nil, err
	}
	rr, err := arrowRows(d, names, "", nil)
	if err != nil {
		return nil, err
	}
	var p []float64
	err = proc.Call(ctx, func(ctx context.Context, c *client.Conn) error {
		p = p[:0]
		return c.Predict(ctx, component, art, rr, func(s []float64) error {
			p = append(p, s...)
			return nil
		})
	})
	if err != nil {
		return nil, cancelled(ctx, fmt.Errorf("%s: %w", id, err))
	}
	if len(p) != d.Rows() {
		return nil, i18n.Errorf("%s returned %d scores for %d rows", id, len(p), d.Rows())
	}
	return p, nil
}

// scorePlugin scores customers with a plugin-trained model.
func (w *Workspace) scorePlugin(ctx context.Context, art []byte, rows *models.Rows) ([]float64, error) {
	var pa pluginArtifact
	if err := json.Unmarshal(art, &pa); err != nil {
		return nil, i18n.Errorf("the stored plugin model is damaged; train it again")
	}
	return w.pluginPredict(ctx, pa.Plugin, pa.Component, pa.Artifact, rows.Data, pa.Spec.Numeric)
}

func pickF(y []float64, idx []int) []float64 {
	out := make([]float64, len(idx))
	for i, r := range idx {
		out[i] = y[r]
	}
	return out
}
