package core

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/marketbench/marketbench/analytics/cluster"
	"github.com/marketbench/marketbench/analytics/text"
	"github.com/marketbench/marketbench/app/llm"
	"github.com/marketbench/marketbench/assets"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage/models"
)

// How themes were found.
const (
	ThemesEmbeddings = "embeddings" // the local Ollama's embedding model, then k-means
	ThemesTFIDF      = "tfidf"      // offline: TF-IDF vectors, then k-means
)

// ThemesRequest asks for the themes of a text column.
type ThemesRequest struct {
	Table, Column string
	// K is the number of themes; 0 chooses 2–8 by the silhouette score.
	K int
	// AllowText lets the model see a few example texts of each theme to
	// name it, for this request only. Without it the model sees keywords.
	AllowText bool
	// Model names the themes and EmbedModel embeds the texts; "" means
	// the settings' model and llm.DefaultEmbedModel. URL overrides the
	// settings' Ollama URL.
	Model, EmbedModel, URL string
	// Offline skips Ollama: TF-IDF vectors and keyword names.
	Offline bool
	// Save stores each row's theme in COLUMN_theme and COLUMN_theme_name.
	Save bool
	// Examples per theme; 0 means 5.
	Examples int
	// Idle bounds a silence of Ollama; 0 means llm.DefaultIdle.
	Idle time.Duration
}

// Theme is one group of texts.
type Theme struct {
	ID       int      `json:"id"`
	Name     string   `json:"name"`
	NamedBy  string   `json:"named_by"` // "model" or "keywords"
	Keywords []string `json:"keywords"`
	Size     int      `json:"size"`
	Share    float64  `json:"share"`
	// Sentiment is the mean probability of "positive" by the built-in
	// models; Positive and Negative the shares labelled so (texts with no
	// known word are neither).
	Sentiment float64 `json:"sentiment"`
	Positive  float64 `json:"positive"`
	Negative  float64 `json:"negative"`
	// Examples are the row numbers of the texts nearest the theme's
	// centre, most typical first; ExampleTexts their texts (the CLI's
	// JSON leaves them out unless asked).
	Examples     []int64  `json:"example_rows"`
	ExampleTexts []string `json:"example_texts,omitempty"`
}

// ThemesResult is the themes of a text column.
type ThemesResult struct {
	Table      string   `json:"table"`
	Column     string   `json:"column"`
	Method     string   `json:"method"`
	EmbedModel string   `json:"embed_model,omitempty"`
	NameModel  string   `json:"name_model,omitempty"`
	Rows       int      `json:"rows"`
	K          int      `json:"k"`
	Silhouette float64  `json:"silhouette"`
	Chinese    bool     `json:"chinese"`
	TextSent   bool     `json:"text_sent_to_model"`
	Themes     []Theme  `json:"themes"`
	Saved      []string `json:"saved_columns,omitempty"`
	Notes      []string `json:"notes,omitempty"`
}

// Limits of a themes run.
const (
	themesMinRows  = 10
	themesMaxK     = 20
	themesFitRows  = 4000 // k-means and the silhouette see at most this many rows
	themesBatch    = 32   // texts per embedding call
	themesTerms    = 400  // TF-IDF terms of the offline vectors
	themesKeywords = 6
)

// Themes groups the texts of table.column by meaning and names the groups.
// With Ollama it embeds the texts with the local embedding model (they
// never leave the computer); without it, or with req.Offline, it uses
// TF-IDF vectors. Both cluster with k-means. Names come from the model
// shown only keywords (checked not to be personal values) unless
// req.AllowText, else from the keywords themselves.
func (w *Workspace) Themes(ctx context.Context, req ThemesRequest, progress Progress) (*ThemesResult, error) {
	report := func(stage string, f float64) {
		if progress != nil {
			progress(stage, f)
		}
	}
	if req.K < 0 || req.K == 1 || req.K > themesMaxK {
		return nil, i18n.Errorf("the number of themes must be between 2 and %d (or 0 to choose it)", themesMaxK)
	}
	report(i18n.T("Reading %s", req.Column), 0.02)
	texts, err := models.ReadText(ctx, w.Project, req.Table, req.Column)
	if err != nil {
		return nil, err
	}
	if len(texts) < themesMinRows {
		return nil, i18n.Errorf("column %q of %q has only %d texts; themes need at least %d", req.Column, req.Table, len(texts), themesMinRows)
	}
	if req.K > 0 && req.K >= len(texts) {
		return nil, i18n.Errorf("%d themes need more than %d texts", req.K, len(texts))
	}
	docs := make([]string, len(texts))
	zh := 0
	for i, t := range texts {
		docs[i] = t.Text
		if text.IsChinese(t.Text) {
			zh++
		}
	}
	res := &ThemesResult{Table: req.Table, Column: req.Column, Rows: len(texts), Chinese: 2*zh > len(texts)}

	vec, err := themeVectorizer(docs)
	if err != nil {
		return nil, err
	}
	tfidf := vec.TransformAll(docs)

	var client *llm.Client
	var X *mat.Dense
	if !req.Offline {
		cfg, err := llmConfig(req.URL, req.Model, 0, req.Idle)
		if err != nil {
			return nil, err
		}
		if client, err = llm.NewClient(cfg); err != nil {
			return nil, err
		}
		res.EmbedModel = req.EmbedModel
		if res.EmbedModel == "" {
			res.EmbedModel = llm.DefaultEmbedModel
		}
		X, err = embedAll(ctx, client, res.EmbedModel, docs, report)
		switch {
		case errors.Is(err, context.Canceled) || ctx.Err() != nil:
			return nil, ErrCancelled
		case err != nil && llm.Fallback(err):
			res.Notes = append(res.Notes, i18n.T("Ollama could not embed the texts, so the themes come from keywords (TF-IDF) instead: %s", i18n.Error(err)))
			client, X = nil, nil
		case err != nil:
			return nil, err
		}
	}
	if X == nil {
		res.Method, res.EmbedModel = ThemesTFIDF, ""
		X = denseTFIDF(tfidf, vec.Terms)
	} else {
		res.Method = ThemesEmbeddings
	}

	report(i18n.T("Grouping"), 0.65)
	fit := themeSample(len(docs))
	labels, centres, sil, err := chooseThemes(ctx, X, fit, req.K)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ErrCancelled
		}
		return nil, err
	}
	res.K, res.Silhouette = len(centres), sil

	report(i18n.T("Describing the themes"), 0.75)
	sent, err := assets.SentimentBilingual()
	if err != nil {
		return nil, i18n.Errorf("the built-in sentiment model cannot be loaded: %v", err)
	}
	personal, err := w.personalTerms(ctx, vec.Terms)
	if err != nil {
		return nil, err
	}
	res.Themes = describeThemes(X, labels, centres, texts, tfidf, vec.Terms, personal, sent, req.Examples, res.Chinese)

	if client != nil {
		res.NameModel = client.Model()
		res.TextSent = req.AllowText
		for i := range res.Themes {
			if ctx.Err() != nil {
				return nil, ErrCancelled
			}
			report(i18n.T("Naming the themes"), 0.8+0.15*float64(i)/float64(len(res.Themes)))
			th := &res.Themes[i]
			p := llm.ThemePrompt{Chinese: res.Chinese, Keywords: th.Keywords}
			if req.AllowText {
				p.Samples = th.ExampleTexts
			}
			name, err := client.NameTheme(ctx, p)
			if err != nil {
				if ctx.Err() != nil {
					return nil, ErrCancelled
				}
				res.Notes = append(res.Notes, i18n.T("The model could not name the themes, so they are named by their keywords: %s", i18n.Error(err)))
				res.NameModel, res.TextSent = "", false
				break
			}
			if bad, err := w.nameIsPersonal(ctx, name); err != nil {
				return nil, err
			} else if bad {
				continue // keep the keyword name
			}
			th.Name, th.NamedBy = name, "model"
		}
	}
	if req.Save {
		report(i18n.T("Saving"), 0.96)
		ids := make([]int64, len(texts))
		num := make([]float64, len(texts))
		name := make([]string, len(texts))
		for i, t := range texts {
			ids[i], num[i], name[i] = t.RowID, float64(labels[i]+1), res.Themes[labels[i]].Name
		}
		res.Saved = []string{req.Column + "_theme", req.Column + "_theme_name"}
		if err := models.SetRowColumns(ctx, w.Project, req.Table, ids, []models.RowValues{
			{Name: res.Saved[0], Num: num}, {Name: res.Saved[1], Text: name}}, "themes", res.Method); err != nil {
			return nil, err
		}
	}
	report(i18n.T("Done"), 1)
	return res, nil
}

// themeVectorizer fits TF-IDF on the texts: words and two-word phrases,
// stop words removed, Chinese cut into words by the built-in segmenter.
func themeVectorizer(docs []string) (*text.Vectorizer, error) {
	tok := text.Tokenizer{Stop: true, NGram: 2}
	if slices.ContainsFunc(docs, text.IsChinese) {
		seg, err := assets.Segmenter()
		if err != nil {
			return nil, err
		}
		tok.Words, tok.Seg = true, seg
	}
	minDF := 2
	if len(docs) < 50 {
		minDF = 1
	}
	return text.Fit(docs, text.VecOptions{Tok: tok, MinDF: minDF, MaxFeatures: themesTerms})
}

// embedAll embeds docs in batches, as unit rows (so k-means compares
// directions, as cosine similarity does).
func embedAll(ctx context.Context, c *llm.Client, model string, docs []string, report func(string, float64)) (*mat.Dense, error) {
	var X *mat.Dense
	for lo := 0; lo < len(docs); lo += themesBatch {
		if ctx.Err() != nil {
			return nil, context.Canceled
		}
		report(i18n.T("Embedding texts with %s (%d of %d)", model, lo, len(docs)), 0.05+0.55*float64(lo)/float64(len(docs)))
		hi := min(lo+themesBatch, len(docs))
		vs, err := c.Embed(ctx, model, docs[lo:hi])
		if err != nil {
			return nil, err
		}
		for i, v := range vs {
			if X == nil {
				if len(v) == 0 {
					return nil, i18n.Errorf("the embedding model %s returned empty vectors", model)
				}
				X = mat.NewDense(len(docs), len(v), nil)
			}
			if len(v) != X.RawMatrix().Cols {
				return nil, i18n.Errorf("the embedding model %s returned vectors of different sizes", model)
			}
			var n float64
			for _, x := range v {
				n += float64(x) * float64(x)
			}
			n = math.Sqrt(n)
			if n == 0 {
				n = 1
			}
			for j, x := range v {
				X.Set(lo+i, j, float64(x)/n)
			}
		}
	}
	return X, nil
}

func denseTFIDF(rows []text.Vec, terms []string) *mat.Dense {
	X := mat.NewDense(len(rows), max(len(terms), 1), nil)
	for i, r := range rows {
		for p, j := range r.Idx {
			X.Set(i, j, r.Val[p])
		}
	}
	return X
}

// themeSample picks the rows k-means fits on: all, or a fixed random
// subset of a large column (every row is then assigned to its nearest centre).
func themeSample(n int) []int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	if n <= themesFitRows {
		return idx
	}
	r := rand.New(rand.NewPCG(15, 15))
	r.Shuffle(n, func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
	idx = idx[:themesFitRows]
	sort.Ints(idx)
	return idx
}

// chooseThemes clusters the fit rows into k groups, or tries 2–8 and keeps
// the best silhouette, then assigns every row to its nearest centre.
func chooseThemes(ctx context.Context, X *mat.Dense, fit []int, k int) ([]int, [][]float64, float64, error) {
	_, d := X.Dims()
	F := mat.NewDense(len(fit), d, nil)
	for i, r := range fit {
		F.SetRow(i, X.RawRowView(r))
	}
	ks := []int{k}
	if k == 0 {
		ks = nil
		for c := 2; c <= 8 && c < len(fit)/3; c++ {
			ks = append(ks, c)
		}
		if len(ks) == 0 {
			ks = []int{2}
		}
	}
	var best *cluster.Result
	bestSil := math.Inf(-1)
	for _, c := range ks {
		r, err := cluster.KMeansContext(ctx, F, cluster.Options{K: c, NInit: 4, Seed: 15, Tol: cluster.DefaultTol})
		if err != nil {
			return nil, nil, 0, err
		}
		s, err := cluster.Silhouette(F, r.Labels, cluster.SilhouetteOptions{SampleSize: 1500, Seed: 15})
		if err != nil {
			s = -1 // fewer distinct groups than asked: a poor choice
		}
		if s > bestSil {
			best, bestSil = r, s
		}
	}
	n, _ := X.Dims()
	centres := make([][]float64, best.Centres.RawMatrix().Rows)
	for c := range centres {
		centres[c] = mat.Row(nil, c, best.Centres)
	}
	labels := make([]int, n)
	for i := range labels {
		labels[i] = nearest(X.RawRowView(i), centres)
	}
	return labels, centres, bestSil, nil
}

func nearest(x []float64, centres [][]float64) int {
	best, bd := 0, math.Inf(1)
	for c, m := range centres {
		if d := dist2(x, m); d < bd {
			best, bd = c, d
		}
	}
	return best
}

func dist2(a, b []float64) (d float64) {
	for i := range a {
		d += (a[i] - b[i]) * (a[i] - b[i])
	}
	return d
}
