package storage

import (
	"context"
	"path/filepath"
	"testing"
)

func TestSettingsPersistAndAudit(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "s.mbproj")
	p, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := p.Setting(ctx, "currency"); ok || err != nil {
		t.Fatalf("unset setting: ok=%v err=%v", ok, err)
	}
	for _, v := range []string{"USD", "CNY"} {
		if err := p.SetSetting(ctx, "currency", v); err != nil {
			t.Fatal(err)
		}
	}
	p.Close()
	p, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if v, ok, err := p.Setting(ctx, "currency"); v != "CNY" || !ok || err != nil {
		t.Fatalf("after reopening: %q %v %v", v, ok, err)
	}
	log, err := p.AuditLog(ctx, 10)
	if err != nil || len(log) < 2 || log[0].Action != "setting" || log[0].Detail != "CNY" {
		t.Fatalf("audit: %+v %v", log, err)
	}
}
