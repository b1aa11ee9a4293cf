package storage

import (
	"context"
	"path/filepath"
	"testing"
)

// Migration 9 names each logged delivery's channel after its campaign's,
// so frequency caps count the messages sent before the upgrade.
func TestMigrationNamesDeliveryChannels(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.mbproj")
	p, err := create(path, 7)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO mb_campaigns (name, spec_json) VALUES ('Spring', '{"name":"Spring","plugin":"marketbench.org/smtp","component":"smtp"}')`,
		`INSERT INTO mb_deliveries (campaign, customer_id, variant, idempotency_key, status) VALUES ('Spring', 'C1', 'A', 'k1', 'delivered'), ('Gone', 'C2', 'A', 'k2', 'delivered')`,
	} {
		if _, err := p.DB().ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	p.Close()
	p, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	got := map[string]*string{}
	rows, err := p.Q().QueryContext(ctx, `SELECT customer_id, channel FROM mb_deliveries`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		var ch *string
		rows.Scan(&id, &ch)
		got[id] = ch
	}
	rows.Close()
	if got["C1"] == nil || *got["C1"] != "marketbench.org/smtp/smtp" {
		t.Errorf("C1's channel: %v, want marketbench.org/smtp/smtp", got["C1"])
	}
	if got["C2"] != nil {
		t.Errorf("a delivery of a deleted campaign has channel %q, want none", *got["C2"])
	}
}
