package assets

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"fmt"
	"io"
	"sync"

	"github.com/go-ego/gse"

	"github.com/marketbench/marketbench/analytics/text"
)

// zhDict is the Chinese word list of the segmenter: gse's simplified
// dictionary pruned by gendict (196k words, 1.0 MB gzipped).
//
//go:embed dict/zh.txt.gz
var zhDict []byte

// gseCutter adapts gse to text.Segmenter.
type gseCutter struct{ seg *gse.Segmenter }

// Cut uses gse's dictionary path search with its HMM for words the
// dictionary lacks, as jieba's default mode does, so new words such as
// product names still come out whole.
func (c gseCutter) Cut(run string) []string { return c.seg.Cut(run, true) }

var segOnce = sync.OnceValues(func() (text.Segmenter, error) {
	zr, err := gzip.NewReader(bytes.NewReader(zhDict))
	if err != nil {
		return nil, fmt.Errorf("assets: Chinese dictionary: %w", err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("assets: Chinese dictionary: %w", err)
	}
	seg := &gse.Segmenter{SkipLog: true}
	if err := seg.LoadDictStr(string(b)); err != nil {
		return nil, fmt.Errorf("assets: Chinese dictionary: %w", err)
	}
	return gseCutter{seg}, nil
})

// Segmenter returns the built-in Chinese word segmenter (go-ego/gse,
// Apache 2.0, with its dictionary pruned; see dict/NOTICE). The first call
// loads the dictionary (about a second); later calls share it.
func Segmenter() (text.Segmenter, error) { return segOnce() }
