package core

import (
	"context"
	"reflect"
	"testing"
)

// Scanning table by table (for progress) finds what one scan of all does,
// and says which table it reads.
func TestPrivacyScanAllMatchesScan(t *testing.T) {
	ctx := context.Background()
	w := privacyShop(t)
	all, err := w.PrivacyScan(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	var stages []string
	each, err := w.PrivacyScanAll(ctx, func(stage string, _ float64) { stages = append(stages, stage) })
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(all.Tables, each.Tables) || len(all.Tables) != 2 {
		t.Fatalf("one scan %+v, table by table %+v", all.Tables, each.Tables)
	}
	if len(stages) != 2 || stages[0] != "Reading customers" {
		t.Fatalf("progress: %v", stages)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := w.PrivacyScanAll(cancelled, nil); err == nil {
		t.Fatal("a cancelled scan went on")
	}
}
