// Package zhseg builds the Chinese word segmenter (go-ego/gse) from the
// gzipped word list that assets embeds, so that assets and the model
// generator, which runs before assets can compile, share one loader.
package zhseg

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"

	"github.com/go-ego/gse"

	"github.com/marketbench/marketbench/analytics/text"
)

// DictFile is the word list, relative to the assets directory.
const DictFile = "dict/zh.txt.gz"

// cutter adapts gse to text.Segmenter.
type cutter struct{ seg *gse.Segmenter }

// Cut uses gse's dictionary path search plus its HMM for words the
// dictionary lacks, as jieba's default mode does, so new words such as
// product names still come out whole.
func (c cutter) Cut(run string) []string { return c.seg.Cut(run, true) }

// New loads a gzipped "word frequency" list into a gse segmenter.
func New(gz []byte) (text.Segmenter, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, fmt.Errorf("Chinese dictionary: %w", err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("Chinese dictionary: %w", err)
	}
	seg := &gse.Segmenter{SkipLog: true}
	if err := seg.LoadDictStr(string(b)); err != nil {
		return nil, fmt.Errorf("Chinese dictionary: %w", err)
	}
	return cutter{seg}, nil
}
