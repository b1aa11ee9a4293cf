package journey

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/campaign"
	"github.com/marketbench/marketbench/storage/ingest"
)

func project(t *testing.T) *storage.Project {
	t.Helper()
	p, err := storage.Create(filepath.Join(t.TempDir(), "v.mbproj"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	ctx := context.Background()
	dir := t.TempDir()
	files := map[string]string{
		"customers": "customer_id,email,email_consent,birthday,tier\nC1,a@x.org,true,1990-02-03,gold\nC2,b@x.org,true,1985-07-09,silver\n",
		"orders":    "order_id,customer_id,order_date,amount\nO1,C1,2026-09-01,10\n",
	}
	for name, body := range files {
		f := filepath.Join(dir, name+".csv")
		os.WriteFile(f, []byte(body), 0o644)
		if _, err := ingest.Import(ctx, p, f, ingest.Options{Table: name}); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

func good() *Journey {
	return &Journey{Name: "Good", Table: "customers", Trigger: Trigger{Kind: NewRow, Table: "orders", FirstOnly: true},
		Steps: []Step{
			{ID: "w", Kind: Wait, Duration: "1d"},
			{ID: "c", Kind: Condition, Rule: "tier = 'gold'", Yes: "w", No: "x"},
			{ID: "x", Kind: Exit},
		}}
}

// A journey that cannot work is refused when saved, with the step named.
func TestValidateRefusesBadJourneys(t *testing.T) {
	p := project(t)
	ctx := context.Background()
	now := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	if err := Validate(ctx, p, good(), now, time.UTC); err != nil {
		t.Fatalf("a good journey is refused: %v", err)
	}
	cases := []struct {
		name string
		edit func(j *Journey)
		want string
	}{
		{"a loop without a wait", func(j *Journey) { j.Steps[1].Yes = "c" }, `step "c": it is on a loop with no wait step`},
		{"a loop of two steps without a wait", func(j *Journey) {
			j.Steps = append(j.Steps, Step{ID: "u", Kind: Update, Field: "tier", Value: "x", Next: "c"})
			j.Steps[1].No = "u"
		}, "loop with no wait"},
		{"a missing segment", func(j *Journey) { j.Trigger = Trigger{Kind: SegmentEnter, Segment: "Nobody"} }, `no segment named "Nobody"`},
		{"a field the table lacks", func(j *Journey) { j.Steps[1].Rule = "colour = 'red'" }, `step "c"`},
		{"an update of a missing field", func(j *Journey) { j.Steps[2] = Step{ID: "x", Kind: Update, Field: "nope", Value: "1"} }, `step "x": table "customers" has no field "nope"`},
		{"a value that does not fit", func(j *Journey) {
			j.Steps[2] = Step{ID: "x", Kind: Update, Field: "email_consent", Value: "perhaps"}
		}, `step "x": "perhaps" does not fit field "email_consent"`},
		{"a link to nowhere", func(j *Journey) { j.Steps[1].No = "gone" }, `step "c": it goes on to "gone"`},
		{"a schedule in the past", func(j *Journey) { j.Trigger = Trigger{Kind: Schedule, Once: "2026-12-01 09:00"} }, "is in the past"},
		{"a bad cron", func(j *Journey) { j.Trigger = Trigger{Kind: Schedule, Cron: "every day"} }, "is not a cron expression"},
		{"a bad wait", func(j *Journey) { j.Steps[0].Duration = "soon" }, `step "w": the wait "soon" is not a duration`},
		{"split shares", func(j *Journey) {
			j.Steps[2] = Step{ID: "x", Kind: Split, Branches: []Branch{{Name: "a", Percent: 50}, {Name: "b", Percent: 40}}}
		}, `step "x": the branches' shares add up to 90%`},
		{"a send without content", func(j *Journey) {
			j.Steps[2] = Step{ID: "x", Kind: Send, Plugin: "p", Component: "c"}
		}, `step "x": add at least one variant`},
		{"a send of a missing campaign", func(j *Journey) { j.Steps[2] = Step{ID: "x", Kind: Send, Campaign: "Nope"} }, `step "x": no campaign named "Nope"`},
		{"a broken template", func(j *Journey) {
			j.Steps[2] = Step{ID: "x", Kind: Send, Plugin: "p", Component: "c", Variants: []campaign.Variant{{Name: "A", Percent: 100, Text: "Hi {{.name"}}}
		}, `step "x"`},
		{"a date column that is not a date", func(j *Journey) { j.Trigger = Trigger{Kind: DateColumn, Column: "tier", Yearly: true} }, "not a date column"},
		{"two steps with one id", func(j *Journey) { j.Steps[2].ID = "w" }, `two steps have the id "w"`},
		{"an unknown kind", func(j *Journey) { j.Steps[2].Kind = "jump" }, `step "x": unknown kind "jump"`},
	}
	for _, c := range cases {
		j := good()
		c.edit(j)
		err := Validate(ctx, p, j, now, time.UTC)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error containing %q", c.name, err, c.want)
		}
	}
}

func TestWakeAt(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	at := time.Date(2026, 12, 4, 20, 30, 0, 0, loc) // a Friday
	cases := []struct {
		s    Step
		want string
	}{
		{Step{Duration: "1d12h"}, "2026-12-06 08:30"},
		{Step{Time: "09:00"}, "2026-12-05 09:00"},
		{Step{Duration: "1h", Time: "21:00"}, "2026-12-05 21:00"},
		{Step{Time: "09:00", Weekday: "monday"}, "2026-12-07 09:00"},
		{Step{Duration: "2w"}, "2026-12-18 20:30"},
	}
	for _, c := range cases {
		if got := c.s.WakeAt(at, loc).In(loc).Format("2006-01-02 15:04"); got != c.want {
			t.Errorf("%+v: wake %s, want %s", c.s, got, c.want)
		}
	}
	if _, ok := ParseDuration("3x"); ok {
		t.Error("3x parsed as a duration")
	}
}
