package core

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/marketbench/marketbench/plugins/host"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/campaign"
	"github.com/marketbench/marketbench/storage/ingest"
)

// fieldsSeen is a webhook receiver that records the customer fields each
// message carried.
type fieldsSeen struct {
	mu   sync.Mutex
	keys [][]string
	srv  *httptest.Server
}

func newFieldsSeen(t *testing.T) *fieldsSeen {
	fs := &fieldsSeen{}
	fs.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			return // the connection check
		}
		b, _ := io.ReadAll(r.Body)
		var m struct{ Fields map[string]string }
		json.Unmarshal(b, &m)
		var keys []string
		for k := range m.Fields {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		fs.mu.Lock()
		fs.keys = append(fs.keys, keys)
		fs.mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(fs.srv.Close)
	return fs
}

func (fs *fieldsSeen) seen() [][]string {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return slices.Clone(fs.keys)
}

func auditActions(t *testing.T, w *Workspace) []string {
	t.Helper()
	log, err := w.AuditLog(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range log {
		out = append(out, e.Action)
	}
	return out
}

// A project file from someone else enables the bundled webhook with no
// audit entry and, written straight into its lock by SQL, widens the
// customer fields it receives beyond its manifest (customer_id, email) to
// phone and names. On this computer the plugin does not start until its
// user approves it, and then a real webhook process, sending to a server
// here, receives only the manifest's fields. Before, the lock was taken as
// is: the send ran at once and every message carried phone, first_name
// and last_name.
func TestForeignLockNeedsApproval(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the webhook plugin")
	}
	ctx := context.Background()
	bundled := filepath.Join(t.TempDir(), "bundled")
	if _, err := host.Bundle("../../plugins", bundled, "webhook"); err != nil {
		t.Fatal(err)
	}
	t.Setenv(host.BundledEnv, bundled)
	const id = "marketbench.org/webhook"
	rcv := newFieldsSeen(t)

	// The author's computer: an ordinary project with a campaign.
	t.Setenv(host.ConfigDirEnv, filepath.Join(t.TempDir(), "author"))
	path := filepath.Join(t.TempDir(), "from-a-client.mbproj")
	w, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	csv := filepath.Join(t.TempDir(), "customers.csv")
	os.WriteFile(csv, []byte("customer_id,first_name,last_name,email,phone,email_consent\n"+
		"C1,Ada,Lovelace,ada@example.com,+44 20 7946 0001,true\n"+
		"C2,Alan,Turing,alan@example.com,+44 20 7946 0002,true\n"+
		"C3,Grace,Hopper,grace@example.com,+1 202 555 0103,true\n"), 0o644)
	if _, err := w.Import(ctx, csv, ingest.Options{Table: "customers"}); err != nil {
		t.Fatal(err)
	}
	// The widened fields would really reach the plugin: the columns have
	// the roles the campaign code looks them up by.
	roles, err := w.ColumnRoles(ctx, "customers")
	if err != nil || roles["phone"] != storage.Phone || roles["last_name"] != storage.LastName {
		t.Fatalf("roles %v %v", roles, err)
	}
	if _, err := w.CreateSegment(ctx, "Everyone", "customers", "email IS NOT EMPTY"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.EnablePlugin(ctx, id); err != nil {
		t.Fatal(err)
	}
	c := &campaign.Campaign{Name: "Spring", Segment: "Everyone", Table: "customers", Plugin: id, Component: "webhook",
		Config: map[string]string{"url": rcv.srv.URL}, Variants: []campaign.Variant{{Name: "A", Percent: 100, Subject: "Hi {{.first_name}}", Text: "Hello."}}}
	if err := w.SaveCampaign(ctx, c, false); err != nil {
		t.Fatal(err)
	}
	// Widened by SQL, leaving no audit entry; the campaign's copy too.
	widened := `["customer_id","email","phone","first_name","last_name"]`
	if _, err := w.DB().ExecContext(ctx, `UPDATE mb_plugin_lock SET fields_json = ? WHERE plugin_id = ?`, widened, id); err != nil {
		t.Fatal(err)
	}
	if _, err := w.DB().ExecContext(ctx, `UPDATE mb_campaigns SET spec_json = replace(spec_json, '"fields":["customer_id","email"]', '"fields":`+widened+`')`); err != nil {
		t.Fatal(err)
	}
	auditBefore := len(auditActions(t, w))
	w.Close()

	// This computer: the user never approved anything here.
	t.Setenv(host.ConfigDirEnv, filepath.Join(t.TempDir(), "me"))
	w, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	_, err = w.SendCampaign(ctx, "Spring", SendOptions{Mode: campaign.Live}, nil)
	var need *ApprovalNeeded
	if !errors.Is(err, ErrNotApproved) || !errors.As(err, &need) {
		t.Fatalf("a send with a plugin you never approved: %v", err)
	}
	if strings.Join(need.Fields, ",") != "customer_id,email" || strings.Join(need.Ignored, ",") != "phone,first_name,last_name" ||
		strings.Join(need.Hosts, ",") != "configured" {
		t.Errorf("what approval would allow: %+v", need)
	}
	if msg := err.Error(); !strings.Contains(msg, "marketbench plugin approve "+id+" -p "+path) || strings.Contains(msg, "\n") {
		t.Errorf("message: %s", msg)
	}
	if _, err := w.PluginMetadata(ctx, id); !errors.Is(err, ErrNotApproved) {
		t.Errorf("the plugin was started before approval: %v", err)
	}
	if n := len(rcv.seen()); n != 0 {
		t.Fatalf("%d messages reached the receiver before approval", n)
	}
	ps, err := w.Plugins(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if p.Manifest != nil && p.Manifest.ID == id && (!p.Enabled || p.NeedsApproval == nil) {
			t.Errorf("listed as enabled %v, needing approval %v", p.Enabled, p.NeedsApproval)
		}
	}

	a, err := w.ApprovePlugin(ctx, id)
	if err != nil || strings.Join(a.Fields, ",") != "customer_id,email" {
		t.Fatalf("approve: %+v %v", a, err)
	}
	rep, err := w.SendCampaign(ctx, "Spring", SendOptions{Mode: campaign.Live}, nil)
	if err != nil || rep.Sent != 3 {
		t.Fatalf("send after approval: %+v %v", rep, err)
	}
	seen := rcv.seen()
	if len(seen) != 3 {
		t.Fatalf("%d messages arrived, want 3", len(seen))
	}
	for _, keys := range seen {
		if strings.Join(keys, ",") != "customer_id,email" {
			t.Errorf("a message carried the fields %v, want only customer_id and email", keys)
		}
	}
	actions := auditActions(t, w)[:len(auditActions(t, w))-auditBefore]
	if !slices.Contains(actions, "plugin approve") {
		t.Errorf("the approval is not audited: %v", actions)
	}

	// Withdrawn: refused again, and audited.
	if _, err := w.RevokePlugin(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, err := w.PluginMetadata(ctx, id); !errors.Is(err, ErrNotApproved) {
		t.Errorf("after revoking: %v", err)
	}
	if actions := auditActions(t, w); actions[0] != "plugin revoke" {
		t.Errorf("the revocation is not audited: %v", actions)
	}
	// Enabling is the user's own act: it approves.
	if _, err := w.EnablePlugin(ctx, id); err != nil {
		t.Fatal(err)
	}
	if need, err := w.PluginApproval(ctx, id); need != nil || err != nil {
		t.Errorf("after enabling: %+v %v", need, err)
	}
}
