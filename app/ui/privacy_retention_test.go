package ui

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/storage/retention"
)

// The Retention tab adds a rule from the form, lists it with the rows it
// would remove now (checked by an independent count), refuses a bad
// number of months in words, and applies the rules after a confirmation
// that states the counts.
func TestPrivacyRetentionTab(t *testing.T) {
	w, p := open(t, demo(t))
	p.goTo("Privacy")
	p.privacy.selectTab(tabRetention)
	idle(t, p)
	r := must(t, p.content, "retention tab", func(*retentionView) bool { return true }).tab
	if !strings.Contains(r.summary.Text, "No retention rules yet") || !r.apply.Disabled() {
		t.Fatalf("no rules: %q, apply enabled: %v", r.summary.Text, !r.apply.Disabled())
	}
	for _, name := range r.table.Options {
		if strings.HasPrefix(name, "mb_") {
			t.Fatalf("an internal table is offered: %q", r.table.Options)
		}
	}
	r.table.SetSelected("orders")
	if r.column.Selected != "order_date" && !slices.Contains(r.column.Options, "order_date") {
		t.Fatalf("date columns of orders: %q", r.column.Options)
	}
	r.column.SetSelected("order_date")
	r.months.SetText("twelve")
	test.Tap(r.save)
	idle(t, p)
	if msg := topText(t, w); !strings.Contains(msg, "whole number of months") {
		t.Fatalf("bad months: %q", msg)
	}
	w.win.Canvas().Overlays().Remove(w.win.Canvas().Overlays().Top())
	r.months.SetText("0")
	test.Tap(r.save)
	idle(t, p)
	if msg := topText(t, w); !strings.Contains(msg, "1 to 1200 months") {
		t.Fatalf("0 months: %q", msg)
	}
	w.win.Canvas().Overlays().Remove(w.win.Canvas().Overlays().Top())

	r.months.SetText("3")
	r.action.SetSelectedIndex(1) // sum up per month
	test.Tap(r.save)
	idle(t, p)
	cutoff := retention.Cutoff(time.Now(), 3).Format(time.DateOnly)
	var want, total int64
	p.ws.DB().QueryRow(`SELECT count(*) FILTER (WHERE order_date < DATE '`+cutoff+`'), count(*) FROM orders`).Scan(&want, &total)
	if want == 0 || want == total {
		t.Fatalf("the demo's orders do not straddle %s (%d of %d): the test would prove little", cutoff, want, total)
	}
	if len(r.rules.rows) != 1 {
		t.Fatalf("rules listed: %q", r.rules.rows)
	}
	row := r.rules.rows[0]
	if row[0] != "orders" || row[1] != "order_date" || row[2] != "3" || row[4] != cutoff || row[5] != strconv.FormatInt(want, 10) || row[6] != "never" {
		t.Fatalf("listed %q, want %d rows dated before %s", row, want, cutoff)
	}
	if !strings.Contains(r.summary.Text, "Applying now would remove "+strconv.FormatInt(want, 10)) {
		t.Fatalf("summary %q", r.summary.Text)
	}
	// Selecting the rule puts it in the form.
	r.table.ClearSelected()
	r.rules.table.Select(widget.TableCellID{Row: 0})
	if r.table.Selected != "orders" || r.months.Text != "3" || r.action.SelectedIndex() != 1 || r.remove.Disabled() {
		t.Fatalf("edit: %q %q %d", r.table.Selected, r.months.Text, r.action.SelectedIndex())
	}

	test.Tap(r.apply)
	idle(t, p)
	msg := topText(t, w)
	if !strings.Contains(msg, "orders: "+strconv.FormatInt(want, 10)+" row(s) dated before "+cutoff+", summed up per month into orders_retained_monthly") {
		t.Fatalf("the confirmation does not state the counts:\n%s", msg)
	}
	tapDialogButton(t, w, "Remove "+strconv.FormatInt(want, 10)+" row(s)")
	idle(t, p)
	var left, summed int64
	if err := p.ws.DB().QueryRow(`SELECT (SELECT count(*) FROM orders), (SELECT sum(row_count) FROM orders_retained_monthly)`).Scan(&left, &summed); err != nil {
		t.Fatal(err)
	}
	if left != total-want || summed != want {
		t.Fatalf("after applying: %d orders left (want %d), %d summed (want %d)", left, total-want, summed, want)
	}
	if !strings.Contains(p.status.Text, "Retention applied: "+strconv.FormatInt(want, 10)+" row(s) removed.") {
		t.Fatalf("status %q", p.status.Text)
	}
	if row := r.rules.rows[0]; row[5] != "0" || !strings.Contains(row[6], "("+strconv.FormatInt(want, 10)+" removed)") {
		t.Fatalf("after applying the list shows %q", row)
	}
	if !strings.Contains(r.summary.Text, "Last applied") {
		t.Fatalf("summary %q", r.summary.Text)
	}
	for _, name := range r.table.Options {
		if name == "orders_retained_monthly" {
			t.Fatal("the summary table is offered for a rule")
		}
	}

	// Removing asks, then the list is empty.
	r.rules.table.Select(widget.TableCellID{Row: 0})
	test.Tap(r.remove)
	tapDialogButton(t, w, "Yes")
	idle(t, p)
	if len(r.rules.rows) != 0 {
		t.Fatalf("rules after removing: %q", r.rules.rows)
	}
}

func init() { privacyShotSteps = append(privacyShotSteps, retentionShots) }

// retentionShots takes the data retention tab with two rules and the confirmation of Apply now.
func retentionShots(p *project, step func(string, func()), closeDialogs func()) {
	ctx := context.Background()
	p.ws.SetRetentionRule(ctx, core.RetentionRule{Table: "orders", Column: "order_date", Months: 12, Action: retention.Aggregate})
	if cols, err := p.ws.Columns(ctx, "reviews"); err == nil {
		for _, c := range cols {
			if c.IsTemporal() {
				p.ws.SetRetentionRule(ctx, core.RetentionRule{Table: "reviews", Column: c.Name, Months: 6, Action: retention.Delete})
				break
			}
		}
	}
	step("privacy-retention.png", func() {
		p.goTo("Privacy")
		p.privacy.selectTab(tabRetention)
	})
	step("privacy-retention-apply.png", func() {
		for _, it := range p.privacy.items {
			if v, ok := it.Content.(*retentionView); ok {
				v.tab.applyNow()
			}
		}
	})
	fyne.DoAndWait(closeDialogs)
}
