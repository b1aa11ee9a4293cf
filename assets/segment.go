package assets

import (
	_ "embed"
	"fmt"
	"sync"

	"github.com/marketbench/marketbench/analytics/text"
	"github.com/marketbench/marketbench/assets/internal/zhseg"
)

// zhDict is the Chinese word list of the segmenter: gse's simplified
// dictionary pruned by gendict (196k words, 1.0 MB gzipped).
//
//go:embed dict/zh.txt.gz
var zhDict []byte

var segOnce = sync.OnceValues(func() (text.Segmenter, error) {
	s, err := zhseg.New(zhDict)
	if err != nil {
		return nil, fmt.Errorf("assets: %w", err)
	}
	return s, nil
})

// Segmenter returns the built-in Chinese word segmenter (go-ego/gse,
// Apache 2.0, with its dictionary pruned; see dict/NOTICE). The first call
// loads the dictionary (about half a second); later calls share it, and
// it is safe for concurrent use.
func Segmenter() (text.Segmenter, error) { return segOnce() }
