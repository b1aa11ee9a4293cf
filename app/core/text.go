package core

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/marketbench/marketbench/analytics/eval"
	"github.com/marketbench/marketbench/analytics/prep"
	"github.com/marketbench/marketbench/analytics/text"
	"github.com/marketbench/marketbench/assets"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/models"
	"github.com/marketbench/marketbench/storage/segment"
)

// DefaultSentiment names the built-in sentiment models, English and
// Chinese, chosen per text by its language. They label texts positive,
// negative, or neutral when no word of the text is in the vocabulary.
const DefaultSentiment = "built-in sentiment (English and Chinese)"

// SentimentResult summarises a sentiment run over a text column.
type SentimentResult struct {
	Table       string
	Column      string
	Model       string
	ScoreColumn string // probability: of "positive" for the built-in model, of the label for others
	LabelColumn string
	Rows        int            // rows with text
	Labels      map[string]int // rows per label
	Mean        float64        // mean score
}

// Sentiment scores every text of table.column and stores a score and a
// label per row in two new columns, COLUMN_sentiment and
// COLUMN_sentiment_label (replacing an earlier run's). With no model it
// uses the built-in models, which work offline: each text is scored by the
// Chinese or the English one by its language (text.IsChinese), so a column
// mixing both works. With a stored text model (see TrainText) it uses that.
func (w *Workspace) Sentiment(ctx context.Context, table, column, modelName string, progress Progress) (*SentimentResult, error) {
	report := func(stage string, f float64) {
		if progress != nil {
			progress(stage, f)
		}
	}
	report(i18n.T("Reading %s", column), 0.05)
	texts, err := models.ReadText(ctx, w.Project, table, column)
	if err != nil {
		return nil, err
	}
	res := &SentimentResult{Table: table, Column: column, Model: DefaultSentiment, Rows: len(texts), Labels: map[string]int{},
		ScoreColumn: column + "_sentiment", LabelColumn: column + "_sentiment_label"}
	score := make([]float64, len(texts))
	label := make([]string, len(texts))
	ids := make([]int64, len(texts))
	var classify func(s string) (string, float64)
	if modelName == "" {
		m, err := assets.SentimentBilingual()
		if err != nil {
			return nil, i18n.Errorf("the built-in sentiment model cannot be loaded: %v", err)
		}
		classify = func(s string) (string, float64) {
			p, _, known := m.Score(s)
			if !known {
				// No word the model knows: no evidence either way.
				return "neutral", 0.5
			}
			if text.Label(p) == 1 {
				return "positive", p
			}
			return "negative", p
		}
	} else {
		c, rec, err := w.textModel(ctx, modelName)
		if err != nil {
			return nil, err
		}
		res.Model = rec.Name
		classify = func(s string) (string, float64) {
			l, proba := c.Predict(s)
			return l, proba[slices.Index(c.Labels(), l)]
		}
	}
	report(i18n.T("Scoring"), 0.2)
	for i, t := range texts {
		if i%4096 == 0 {
			if ctx.Err() != nil {
				return nil, ErrCancelled
			}
			report(i18n.T("Scoring"), 0.2+0.6*float64(i)/float64(len(texts)))
		}
		ids[i] = t.RowID
		label[i], score[i] = classify(t.Text)
		res.Labels[label[i]]++
		res.Mean += score[i]
	}
	res.Mean /= float64(len(texts))
	report(i18n.T("Saving"), 0.85)
	err = models.SetRowColumns(ctx, w.Project, table, ids, []models.RowValues{
		{Name: res.ScoreColumn, Num: score}, {Name: res.LabelColumn, Text: label}}, "sentiment", res.Model)
	if err != nil {
		return nil, err
	}
	report(i18n.T("Done"), 1)
	return res, nil
}

// SegmentSentiment is the sentiment of one segment's rows.
type SegmentSentiment struct {
	Segment  string // "All" for every row of the table
	Rows     int
	Mean     float64 // mean score
	Positive float64 // share labelled "positive" (the built-in model's label)
	All      bool    `json:"-"` // the row of every text, not a segment's
}

// Name is the row's name for people: the segment, or "All texts".
func (s SegmentSentiment) Name() string {
	if s.All {
		return i18n.T("All texts")
	}
	return s.Segment
}

// SentimentBySegment compares the stored sentiment of table.column across
// the project's segments (rows whose customer is in each segment), plus
// "All".
func (w *Workspace) SentimentBySegment(ctx context.Context, table, column string) ([]SegmentSentiment, error) {
	cust, err := w.ColumnFor(ctx, table, storage.CustomerID)
	if err != nil {
		return nil, err
	}
	if cust == "" {
		return nil, i18n.Errorf("table %q has no customer id column, so its rows cannot be matched to segments; set the role first", table)
	}
	sc, lc := storage.Quote(column+"_sentiment"), storage.Quote(column+"_sentiment_label")
	if ok, _ := w.hasColumn(ctx, table, column+"_sentiment"); !ok {
		return nil, i18n.Errorf("run sentiment on %s.%s first", table, column)
	}
	sums, err := w.Segments(ctx)
	if err != nil {
		return nil, err
	}
	q := func(name, where string) (SegmentSentiment, error) {
		s := SegmentSentiment{Segment: name}
		err := w.Q().QueryRowContext(ctx, `SELECT count(`+sc+`), coalesce(avg(`+sc+`), 0), coalesce(avg(CASE WHEN `+lc+` = 'positive' THEN 1.0 ELSE 0.0 END) FILTER (WHERE `+sc+` IS NOT NULL), 0)
			FROM `+storage.Quote(table)+where).Scan(&s.Rows, &s.Mean, &s.Positive)
		return s, err
	}
	all, err := q("All", "")
	if err != nil {
		return nil, err
	}
	all.All = true
	out := []SegmentSentiment{all}
	for _, s := range sums {
		if s.Damaged != "" {
			continue // shown as damaged in the segment list
		}
		ids, err := segment.IDsSQL(ctx, w.Project, s.Name)
		if err != nil {
			return nil, err
		}
		r, err := q(s.Name, ` WHERE CAST(`+storage.Quote(cust)+` AS VARCHAR) IN (`+ids+`)`)
		if err != nil {
			return nil, err
		}
		if r.Rows > 0 {
			out = append(out, r)
		}
	}
	return out, nil
}

func (w *Workspace) hasColumn(ctx context.Context, table, column string) (bool, error) {
	cols, err := w.Columns(ctx, table)
	if err != nil {
		return false, err
	}
	for _, c := range cols {
		if strings.EqualFold(c.Name, column) {
			return true, nil
		}
	}
	return false, nil
}

// KeywordsRequest picks the texts to describe: the rows of a segment's
// customers, or rows matching a rule (e.g. review_text_sentiment_label =
// 'negative'), against the other rows; with neither, all rows.
type KeywordsRequest struct {
	Table, Column string
	Segment       string
	Where         string
	K             int
}

// KeywordsResult lists the terms that set the group apart.
type KeywordsResult struct {
	InGroup, Others int
	Keywords        []text.Keyword
}

// Keywords finds the words and two-word phrases that weigh most in the
// group's texts compared with the rest (TF-IDF, stop words removed;
// Chinese cut into words by the built-in segmenter).
func (w *Workspace) Keywords(ctx context.Context, r KeywordsRequest) (*KeywordsResult, error) {
	texts, err := models.ReadText(ctx, w.Project, r.Table, r.Column)
	if err != nil {
		return nil, err
	}
	in := make([]bool, len(texts))
	if r.Segment == "" && r.Where == "" {
		for i := range in {
			in[i] = true
		}
	} else {
		var where string
		var args []any
		if r.Segment != "" {
			cust, err := w.ColumnFor(ctx, r.Table, storage.CustomerID)
			if err != nil {
				return nil, err
			}
			if cust == "" {
				return nil, i18n.Errorf("table %q has no customer id column, so its rows cannot be matched to segment %q", r.Table, r.Segment)
			}
			ids, err := segment.IDsSQL(ctx, w.Project, r.Segment)
			if err != nil {
				return nil, err
			}
			where = `CAST(` + storage.Quote(cust) + ` AS VARCHAR) IN (` + ids + `)`
		} else if where, args, err = w.compileFilter(ctx, r.Table, r.Where); err != nil {
			return nil, err
		}
		from, err := w.RowSource(ctx, r.Table) // numbered as ReadText numbers the texts
		if err != nil {
			return nil, err
		}
		rows, err := w.Q().QueryContext(ctx, `SELECT `+storage.Quote(storage.RowNumber)+` FROM `+from+` WHERE `+where, args...)
		if err != nil {
			return nil, err
		}
		member := map[int64]bool{}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			member[id] = true
		}
		rows.Close()
		for i, t := range texts {
			in[i] = member[t.RowID]
		}
	}
	res := &KeywordsResult{}
	for _, b := range in {
		if b {
			res.InGroup++
		} else {
			res.Others++
		}
	}
	if res.InGroup == 0 {
		return nil, i18n.Errorf("no text matches the group; check the segment or rule")
	}
	docs := make([]string, len(texts))
	for i, t := range texts {
		docs[i] = t.Text
	}
	minDF := 2
	if len(docs) < 50 {
		minDF = 1
	}
	tok := text.Tokenizer{Stop: true, NGram: 2}
	if slices.ContainsFunc(docs, text.IsChinese) {
		// Loading the dictionary takes half a second: only when needed.
		seg, err := assets.Segmenter()
		if err != nil {
			return nil, err
		}
		tok.Words, tok.Seg = true, seg
	}
	v, err := text.Fit(docs, text.VecOptions{Tok: tok, MinDF: minDF})
	if err != nil {
		return nil, err
	}
	if ctx.Err() != nil {
		return nil, ErrCancelled
	}
	k := r.K
	if k <= 0 {
		k = 20
	}
	res.Keywords = text.Keywords(v.TransformAll(docs), in, v.Terms, k)
	return res, nil
}

// TextTrainRequest trains a classifier of a text column into the labels of
// another column.
type TextTrainRequest struct {
	Name, Table, Column, Label string
	Algo                       string // "nb" (default) or "logreg"
	TestSize                   float64
	Seed                       uint64
	Replace                    bool
}

// TextEval is a text classifier's held-out evaluation.
type TextEval struct {
	TrainRows, TestRows int
	Accuracy            float64
	MacroF1             float64
	Labels              []string
	Precision, Recall   []float64
	F1                  []float64
	Support             []int64
	// Confusion[i][j] counts texts of label i predicted as label j.
	Confusion [][]int64
}

// TextModelInfo is a stored text classifier.
type TextModelInfo struct {
	Name, Table, Column, Label, Algo string
	Eval                             TextEval
	Seconds                          float64
	TrainedAt                        time.Time
}

// TrainText trains a classifier (naive Bayes or logistic regression on
// TF-IDF) on a stratified split, reports its held-out scores, and stores
// it; use it with Sentiment (any labels) or ClassifyText.
func (w *Workspace) TrainText(ctx context.Context, r TextTrainRequest, progress Progress) (*TextModelInfo, error) {
	start := time.Now()
	if r.Name == "" {
		r.Name = sanitize(r.Column) + "_" + sanitize(r.Label)
	}
	if err := models.CheckName(r.Name); err != nil {
		return nil, err
	}
	if !r.Replace {
		if _, _, err := models.Get(ctx, w.Project, r.Name); err == nil {
			return nil, i18n.Errorf("a model named %q already exists; choose another name or replace it", r.Name)
		}
	}
	if r.TestSize == 0 {
		r.TestSize = 0.2
	}
	if r.TestSize <= 0 || r.TestSize >= 1 {
		return nil, i18n.Errorf("the test share must be between 0 and 1 (got %v)", r.TestSize)
	}
	if progress != nil {
		progress(i18n.T("Reading texts"), 0.05)
	}
	texts, err := models.ReadText(ctx, w.Project, r.Table, r.Column)
	if err != nil {
		return nil, err
	}
	labels, err := w.labelsOf(ctx, r.Table, r.Label, texts)
	if err != nil {
		return nil, err
	}
	var docs, ys []string
	for i, t := range texts {
		if labels[i] != "" {
			docs = append(docs, t.Text)
			ys = append(ys, labels[i])
		}
	}
	if len(docs) < 10 {
		return nil, i18n.Errorf("only %d texts have a label in %q; label at least 10", len(docs), r.Label)
	}
	tr, te, err := prep.Split(ys, r.TestSize, r.Seed)
	if err != nil {
		return nil, i18n.Errorf("cannot hold texts out for testing: %v; label more texts", err)
	}
	if progress != nil {
		progress(i18n.T("Training"), 0.3)
	}
	c, err := text.TrainClassifier(pickS(docs, tr), pickS(ys, tr), text.ClassifierOptions{Algo: r.Algo, NGram: 2})
	if err != nil {
		return nil, err
	}
	if ctx.Err() != nil {
		return nil, ErrCancelled
	}
	if progress != nil {
		progress(i18n.T("Testing"), 0.8)
	}
	ev := TextEval{TrainRows: len(tr), TestRows: len(te), Labels: c.Labels()}
	index := map[string]int{}
	for i, l := range ev.Labels {
		index[l] = i
	}
	yt, yp := make([]int, len(te)), make([]int, len(te))
	for k, i := range te {
		l, _ := c.Predict(docs[i])
		yt[k], yp[k] = index[ys[i]], index[l]
		if _, ok := index[ys[i]]; !ok {
			yt[k] = -1 // a label only in the test rows: always wrong
		}
	}
	rep, err := eval.Classify(yt, yp)
	if err != nil {
		return nil, err
	}
	ev.Accuracy, ev.MacroF1 = rep.Accuracy, rep.Macro.F1
	ev.Confusion = make([][]int64, len(ev.Labels))
	for i := range ev.Confusion {
		ev.Confusion[i] = make([]int64, len(ev.Labels))
	}
	for k := range yt {
		if yt[k] >= 0 {
			ev.Confusion[yt[k]][yp[k]]++
		}
	}
	for i, l := range rep.Labels {
		if l < 0 {
			continue
		}
		ev.Precision = append(ev.Precision, rep.Precision[i])
		ev.Recall = append(ev.Recall, rep.Recall[i])
		ev.F1 = append(ev.F1, rep.F1[i])
		ev.Support = append(ev.Support, rep.Support[i])
	}
	art, err := c.Marshal()
	if err != nil {
		return nil, err
	}
	info := &TextModelInfo{Name: r.Name, Table: r.Table, Column: r.Column, Label: r.Label, Algo: c.Algo(), Eval: ev,
		Seconds: time.Since(start).Seconds(), TrainedAt: time.Now().UTC()}
	evJSON, _ := json.Marshal(ev)
	specJSON, _ := json.Marshal(map[string]any{"algo": c.Algo(), "column": r.Column, "label": r.Label, "test_size": r.TestSize, "seed": r.Seed})
	err = models.Save(ctx, w.Project, models.Record{Name: r.Name, Kind: models.TextModel, Algo: "text-" + c.Algo(), Target: r.Label,
		Source: models.Source{Table: r.Table, Column: r.Column}, Spec: specJSON, Eval: evJSON, Seconds: info.Seconds}, art, r.Replace)
	if err != nil {
		return nil, err
	}
	if progress != nil {
		progress(i18n.T("Done"), 1)
	}
	return info, nil
}

func pickS(s []string, idx []int) []string {
	out := make([]string, len(idx))
	for i, k := range idx {
		out[i] = s[k]
	}
	return out
}

// labelsOf reads the label column for the rows of texts ("" where missing).
func (w *Workspace) labelsOf(ctx context.Context, table, column string, texts []models.RowText) ([]string, error) {
	ok, err := w.hasColumn(ctx, table, column)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, i18n.Errorf("table %q has no column %q with the labels", table, column)
	}
	from, err := w.RowSource(ctx, table) // numbered as ReadText numbers the texts
	if err != nil {
		return nil, err
	}
	rows, err := w.Q().QueryContext(ctx, `SELECT `+storage.Quote(storage.RowNumber)+`, coalesce(trim(CAST(`+storage.Quote(column)+` AS VARCHAR)), '') FROM `+from)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	by := map[int64]string{}
	for rows.Next() {
		var id int64
		var l string
		if err := rows.Scan(&id, &l); err != nil {
			return nil, err
		}
		by[id] = l
	}
	out := make([]string, len(texts))
	for i, t := range texts {
		out[i] = by[t.RowID]
	}
	return out, rows.Err()
}

// TextModels lists the stored text classifiers.
func (w *Workspace) TextModels(ctx context.Context) ([]TextModelInfo, error) {
	recs, err := models.List(ctx, w.Project, models.TextModel)
	if err != nil {
		return nil, err
	}
	var out []TextModelInfo
	for _, r := range recs {
		info := TextModelInfo{Name: r.Name, Table: r.Source.Table, Column: r.Source.Column, Label: r.Target,
			Algo: strings.TrimPrefix(r.Algo, "text-"), Seconds: r.Seconds, TrainedAt: r.TrainedAt}
		if err := json.Unmarshal(r.Eval, &info.Eval); err != nil {
			return nil, i18n.Errorf("model %q: damaged evaluation: %v", r.Name, err)
		}
		out = append(out, info)
	}
	return out, nil
}

func (w *Workspace) textModel(ctx context.Context, name string) (*text.Classifier, *models.Record, error) {
	rec, art, err := models.Get(ctx, w.Project, name)
	if err != nil {
		return nil, nil, err
	}
	if rec.Kind != models.TextModel {
		return nil, nil, i18n.Errorf("%q is not a text model; see 'text models'", name)
	}
	c, err := text.UnmarshalClassifier(art)
	if err != nil {
		return nil, nil, i18n.Errorf("text model %q is damaged: %v; train it again", name, err)
	}
	return c, rec, nil
}

// ClassifyResult summarises ClassifyText.
type ClassifyResult struct {
	Model, Table, LabelColumn, ScoreColumn string
	Rows                                   int
	Labels                                 map[string]int
}

// ClassifyText labels every text of table.column with a stored classifier,
// into COLUMN_NAME (the label) and COLUMN_NAME_p (its probability).
func (w *Workspace) ClassifyText(ctx context.Context, name, table, column string, progress Progress) (*ClassifyResult, error) {
	c, rec, err := w.textModel(ctx, name)
	if err != nil {
		return nil, err
	}
	texts, err := models.ReadText(ctx, w.Project, table, column)
	if err != nil {
		return nil, err
	}
	res := &ClassifyResult{Model: rec.Name, Table: table, LabelColumn: column + "_" + strings.ToLower(rec.Name),
		Rows: len(texts), Labels: map[string]int{}}
	res.ScoreColumn = res.LabelColumn + "_p"
	ids := make([]int64, len(texts))
	lab := make([]string, len(texts))
	p := make([]float64, len(texts))
	labels := c.Labels()
	for i, t := range texts {
		if i%4096 == 0 {
			if ctx.Err() != nil {
				return nil, ErrCancelled
			}
			if progress != nil {
				progress(i18n.T("Classifying"), 0.8*float64(i)/float64(len(texts)))
			}
		}
		l, proba := c.Predict(t.Text)
		ids[i], lab[i], p[i] = t.RowID, l, proba[slices.Index(labels, l)]
		res.Labels[l]++
	}
	err = models.SetRowColumns(ctx, w.Project, table, ids, []models.RowValues{{Name: res.LabelColumn, Text: lab}, {Name: res.ScoreColumn, Num: p}},
		"classify", rec.Name)
	return res, err
}
