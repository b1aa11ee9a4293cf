package sentimentrecipe

import (
	"compress/gzip"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/marketbench/marketbench/analytics/text"
)

// The Chinese recipe. Changing any of these changes the shipped model:
// regenerate it (go generate ./assets) and update docs/TEXT.md.
const (
	// ZHData is online_shopping_10_cats (SophonPlus/ChineseNlpCorpus),
	// relative to the assets directory: the shared data set folder beside
	// the repository. It is not in the repository (4.4 MB); ZHDataSHA256
	// pins the bytes the model was trained on.
	ZHData       = "../../shared/datasets/chinese_reviews/online_shopping_10_cats.csv.gz"
	ZHDataSHA256 = "b11e73f5041a1d111da82428caa03921cc38643c4a2f6d067e0a9219eb8057a6"
	// ZHHeldOut is the category left out of training: hotel reviews, so
	// that ChnSentiCorp's hotel reviews (assets/testdata) are a domain the
	// model has never seen and its score there is honest.
	ZHHeldOut = "酒店"
	// ZHMinDF drops words and word pairs found in fewer than 5 reviews:
	// 45k terms instead of 142k, for 0.1 point of accuracy on hotels.
	ZHMinDF = 5
	// ZHDigits rounds the weights and idf to 6 significant digits, which
	// changes no score by more than 1e-5 and halves the file.
	ZHDigits = 6
)

// Review is one labelled Chinese review.
type Review struct {
	Cat   string // category; "" for a corpus without categories
	Text  string
	Label int
}

// LoadZH reads a gzipped label,review or cat,label,review CSV. It drops the
// stray byte-order mark of the first review and empty reviews.
func LoadZH(path string) ([]Review, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	r := csv.NewReader(zr)
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(rows) < 2 {
		return nil, fmt.Errorf("%s: no reviews", path)
	}
	cat := len(rows[0]) == 3 && rows[0][0] == "cat"
	if !cat && !(len(rows[0]) == 2 && rows[0][0] == "label") {
		return nil, fmt.Errorf("%s: want a label,review or cat,label,review header", path)
	}
	var out []Review
	for i, row := range rows[1:] {
		var rv Review
		if cat {
			row, rv.Cat = row[1:], row[0]
		}
		if len(row) != 2 {
			return nil, fmt.Errorf("%s: line %d has %d fields", path, i+2, len(row))
		}
		l, err := strconv.Atoi(row[0])
		if err != nil || l != 0 && l != 1 {
			return nil, fmt.Errorf("%s: line %d: label %q is not 0 or 1", path, i+2, row[0])
		}
		rv.Label, rv.Text = l, strings.TrimSpace(strings.TrimPrefix(row[1], "\ufeff"))
		if rv.Text != "" {
			out = append(out, rv)
		}
	}
	return out, nil
}

// FileSHA256 is the hex SHA-256 of a file.
func FileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// ZHResult is a trained Chinese model.
type ZHResult struct {
	Model *text.Model
	JSON  []byte // the asset
	Train int    // training reviews
}

// BuildZH trains the Chinese model on every category of path but
// ZHHeldOut: TF-IDF on gse words and word pairs, naive Bayes blended with
// logistic regression (text.SentimentOptions.Blend).
func BuildZH(path string, seg text.Segmenter) (*ZHResult, error) {
	sum, err := FileSHA256(path)
	if err != nil {
		return nil, err
	}
	if sum != ZHDataSHA256 {
		return nil, fmt.Errorf("%s: SHA-256 %s, the recipe was made with %s", path, sum, ZHDataSHA256)
	}
	rs, err := LoadZH(path)
	if err != nil {
		return nil, err
	}
	var texts []string
	var labels []int
	for _, r := range rs {
		if r.Cat != ZHHeldOut {
			texts = append(texts, r.Text)
			labels = append(labels, r.Label)
		}
	}
	tok := ZHTokenizer(seg)
	m, err := text.TrainSentiment(texts, labels, text.SentimentOptions{Tok: &tok, MinDF: ZHMinDF, Blend: true})
	if err != nil {
		return nil, err
	}
	roundTo(m.Vec.IDF, ZHDigits)
	roundTo(m.Lin.W, ZHDigits)
	m.Lin.B = roundOne(m.Lin.B, ZHDigits)
	b, err := m.Marshal()
	if err != nil {
		return nil, err
	}
	// Score with the weights as they are read back from the file.
	if m, err = text.UnmarshalWith(b, seg); err != nil {
		return nil, err
	}
	return &ZHResult{Model: m, JSON: append(b, '\n'), Train: len(texts)}, nil
}

// ZHTokenizer is the Chinese model's tokeniser: words and word pairs, stop
// words kept (不 and 没 carry the sentiment of 不好, 没用).
func ZHTokenizer(seg text.Segmenter) text.Tokenizer {
	return text.Tokenizer{NGram: 2, Words: true, Seg: seg}
}

// roundTo rounds xs to digits significant digits.
func roundTo(xs []float64, digits int) {
	for i, x := range xs {
		xs[i] = roundOne(x, digits)
	}
}

func roundOne(x float64, digits int) float64 {
	y, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'g', digits, 64), 64)
	return y
}
