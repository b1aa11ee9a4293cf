package core

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/marketbench/marketbench/analytics/model"
	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/storage/campaign"
	"github.com/marketbench/marketbench/storage/ingest"
)

// The processing record of a project with personal data, a campaign sent
// through the webhook, a journey, a model using a person's name, a plain
// and an anonymised export and one erasure names each of them, with counts
// and dates and no personal value. Retention rules and consent records are
// read once their tables exist (they come with later project versions)
// and are empty lists before. The readable forms show the same sections,
// HTML escaped, and only .md and .html files are written.
func TestProcessingRecord(t *testing.T) {
	ctx := context.Background()
	in := newInbox(t)
	w := journeyProject(t, 12)
	var b strings.Builder
	b.WriteString("customer_id,first_name,age,spend,churned\n")
	for i := range 40 {
		fmt.Fprintf(&b, "M%03d,%s,%d,%d,%v\n", i, []string{"Ann", "Bo"}[i%2], 20+i, 10*i%70, i%3 == 0)
	}
	members := filepath.Join(t.TempDir(), "members.csv")
	os.WriteFile(members, []byte(b.String()), 0o644)
	if _, err := w.Import(ctx, members, ingest.Options{Table: "members"}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.CreateSegment(ctx, "Everyone", "customers", "email IS NOT EMPTY"); err != nil {
		t.Fatal(err)
	}
	c := &campaign.Campaign{Name: "Spring", Segment: "Everyone", Table: "customers", Plugin: "marketbench.org/webhook", Component: "webhook",
		Config: sdk.Config{"url": in.URL}, Variants: []campaign.Variant{{Name: "A", Percent: 100, Subject: "Hi", Text: "Hello {{.first_name}}"}}}
	if err := w.SaveCampaign(ctx, c, false); err != nil {
		t.Fatal(err)
	}
	rep, err := w.SendCampaign(ctx, "Spring", SendOptions{Mode: campaign.Live}, nil)
	if err != nil || rep.Sent == 0 {
		t.Fatalf("send: %v %+v", err, rep)
	}
	if err := w.SaveJourney(ctx, welcomeJourney(in.URL), false, time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Train(ctx, TrainRequest{Name: "loyal", Table: "members", Features: []string{"age", "spend", "first_name"},
		Spec: model.Spec{Algo: model.Tree, Target: "churned"}}, nil); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := w.Export(ctx, "customers", filepath.Join(dir, "all.csv")); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Export(ctx, "sql:SELECT * FROM customers WHERE email = 'c3@example.com'", filepath.Join(dir, "one.csv")); err != nil {
		t.Fatal(err)
	}
	if _, err := w.ExportPrivate(ctx, "members", filepath.Join(dir, "anon.csv"), PrivateExport{Anonymise: true, K: 2, Quasi: []string{"age"}, Suppress: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Erase(ctx, Subject{CustomerID: "C003"}); err != nil {
		t.Fatal(err)
	}

	r, err := w.ProcessingRecord(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r.Project != "j.mbproj" || r.Version == "" || time.Since(r.GeneratedAt) > time.Minute {
		t.Errorf("header: %q %q %v", r.Project, r.Version, r.GeneratedAt)
	}
	kinds := map[string]string{}
	for _, tb := range r.PersonalData {
		for _, col := range tb.Columns {
			kinds[tb.Table+"."+col.Column] = strings.Join(col.Kinds, ",")
		}
		if tb.Table == "customers" && tb.Rows != 11 {
			t.Errorf("customers has %d rows after the erasure, want 11", tb.Rows)
		}
	}
	for col, kind := range map[string]string{"customers.email": "email", "customers.customer_id": "customer_id", "customers.first_name": "name",
		"members.first_name": "name", "orders.customer_id": "customer_id"} {
		if kinds[col] != kind {
			t.Errorf("%s: kinds %q, want %q (all: %v)", col, kinds[col], kind, kinds)
		}
	}
	if _, ok := kinds["members.age"]; ok {
		t.Errorf("age is reported as personal data: %v", kinds)
	}
	if len(r.Campaigns) != 1 || r.Campaigns[0].Channel != "marketbench.org/webhook/webhook" || r.Campaigns[0].Segment != "Everyone" ||
		!slices.Contains(r.Campaigns[0].Fields, "email") || r.Campaigns[0].Messages != int64(rep.Sent-1) {
		// C003's delivery went with the erasure.
		t.Errorf("campaigns: %+v (sent %d, one erased)", r.Campaigns, rep.Sent)
	}
	if len(r.Journeys) != 1 || r.Journeys[0].Name != "Welcome" || !slices.Equal(r.Journeys[0].Channels, []string{"marketbench.org/webhook/webhook"}) {
		t.Errorf("journeys: %+v", r.Journeys)
	}
	if len(r.Models) != 1 || r.Models[0].Table != "members" || !slices.Equal(r.Models[0].Personal, []string{"first_name"}) || len(r.Models[0].Features) != 3 {
		t.Errorf("models: %+v", r.Models)
	}
	if len(r.Recipients) != 1 || r.Recipients[0].Plugin != "marketbench.org/webhook" || !r.Recipients[0].Approved ||
		!slices.Contains(r.Recipients[0].Fields, "email") || !slices.Equal(r.Recipients[0].Hosts, []string{"configured"}) {
		t.Errorf("recipients: %+v", r.Recipients)
	}
	var exports []string
	for _, e := range r.Exports {
		exports = append(exports, fmt.Sprintf("%s %s %s %d", e.File, e.Source, e.Kind, e.Rows))
	}
	if want := []string{"all.csv customers plain 12", "one.csv query plain 1", "anon.csv members anonymised 40"}; !slices.Equal(exports, want) {
		t.Errorf("exports %q, want %q", exports, want)
	}
	if len(r.Erasures) != 1 || r.Erasures[0].Customers != 1 || r.Erasures[0].Addresses != 1 {
		t.Errorf("erasures: %+v", r.Erasures)
	}
	// The import of customers.csv recorded the consent it set.
	if r.Retention == nil || len(r.Retention) != 0 || len(r.Consent) != 1 || r.Consent[0].Source != "import of customers.csv" || r.Security.Sealed {
		t.Errorf("before rules and consent records: retention %v, consent %v, sealed %v", r.Retention, r.Consent, r.Security.Sealed)
	}

	// Rules and consent changes as their tables hold them.
	if _, err := w.Q().ExecContext(ctx, `DELETE FROM mb_consent_events;
		INSERT INTO mb_retention_rules VALUES ('orders', 'order_date', 24, 'delete', now(), NULL, NULL), ('members', 'joined', 36, 'aggregate', now(), '2026-11-02 03:00', 7);
		INSERT INTO mb_consent_events VALUES (1, 'C001', 'email', true, '2026-03-01', '<web form>', 'ip 192.0.2.1', now()),
			(2, 'C001', 'email', false, '2026-05-01', '<web form>', 'unsubscribe link', now()),
			(3, 'C002', 'email', true, '2026-04-01', 'import shop.csv', '', now()), (4, 'C002', 'sms', true, '2026-04-02', 'import shop.csv', '', now())`); err != nil {
		t.Fatal(err)
	}
	if r, err = w.ProcessingRecord(ctx); err != nil {
		t.Fatal(err)
	}
	if len(r.Retention) != 2 || r.Retention[0].Table != "members" || r.Retention[0].Months != 36 || r.Retention[0].LastRows == nil || *r.Retention[0].LastRows != 7 ||
		r.Retention[1].Action != "delete" || r.Retention[1].LastRunAt != nil {
		t.Errorf("retention: %+v", r.Retention)
	}
	var consent []string
	for _, e := range r.Consent {
		consent = append(consent, fmt.Sprintf("%s|%s|%d|%d|%d|%s", e.Channel, e.Source, e.Events, e.Granted, e.Withdrawn, e.Last.Format("01-02")))
	}
	if want := []string{"email|<web form>|2|1|1|05-01", "email|import shop.csv|1|1|0|04-01", "sms|import shop.csv|1|1|0|04-02"}; !slices.Equal(consent, want) {
		t.Errorf("consent %q, want %q", consent, want)
	}

	// No personal value anywhere in it.
	js, _ := json.Marshal(r)
	for _, text := range []string{string(js), r.Markdown(), r.HTML()} {
		for _, v := range []string{"@example.com", "C001", "C003", "M001", "192.0.2.1", "unsubscribe link", "Ann"} {
			if strings.Contains(text, v) {
				t.Errorf("the record holds the personal value %q", v)
			}
		}
	}
	md, page := r.Markdown(), r.HTML()
	for _, s := range r.Sections() {
		if !strings.Contains(md, "## "+s.Title+"\n") || !strings.Contains(page, "<h2>"+s.Title+"</h2>") {
			t.Errorf("section %q missing", s.Title)
		}
	}
	for _, want := range []string{"| Spring | marketbench.org/webhook/webhook | Everyone | ", "| loyal | predictive | members | first_name | 2 |",
		"| orders | order_date | 24 | delete | not yet applied |  |"} {
		if !strings.Contains(md, want) {
			t.Errorf("the Markdown lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "No one has been erased.") {
		t.Error("the Markdown says no one was erased")
	}
	if !strings.Contains(page, "<td>&lt;web form&gt;</td>") || strings.Contains(page, "<web form>") {
		t.Error("the HTML page does not escape a consent source")
	}
	for _, name := range []string{"record.md", "record.html"} {
		p := filepath.Join(dir, name)
		if err := SaveProcessingRecord(r, p); err != nil {
			t.Fatal(err)
		}
		if b, _ := os.ReadFile(p); !strings.Contains(string(b), "Spring") {
			t.Errorf("%s: %.200s", name, b)
		}
	}
	if err := SaveProcessingRecord(r, filepath.Join(dir, "record.pdf")); err == nil || !strings.Contains(err.Error(), "save the record as .md") {
		t.Errorf("a .pdf: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "record.pdf")); !os.IsNotExist(err) {
		t.Error("a refused file was written")
	}
}
