package bench

import (
	"os"
	"testing"

	"github.com/marketbench/marketbench/analytics/forest"
)

// Temporary (scoring work): dumps the benchmark forests for in-package timing.
func TestZZDumpForests(t *testing.T) {
	if os.Getenv("ZZ_DUMP") == "" {
		t.Skip()
	}
	d, err := ForestData(250000, forestCols)
	if err != nil {
		t.Fatal(err)
	}

	xtr, ytr, _, _ := d.Split(200000)
	for name, opt := range map[string]forest.Options{"capped": cappedOptions, "full": {}} {
		f, err := forest.Fit(xtr, ytr, opt)
		if err != nil {
			t.Fatal(err)
		}
		b, err := f.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile("/tmp/mbscore/"+name+".mbrf", b, 0o644)
	}
	ld, _ := LogisticData(1200000, logitCols)
	t.Log(ld.XPath)
}
