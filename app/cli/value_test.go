package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/marketbench/marketbench/app/core"
)

// TestCohortsAndForecastCommands runs the two commands as a person would
// and checks what bad requests say, and that charts are written.
func TestCohortsAndForecastCommands(t *testing.T) {
	dir := t.TempDir()
	proj := filepath.Join(dir, "demo.mbproj")
	w, err := core.CreateDemo(context.Background(), proj, core.DemoOptions{Customers: 1500, Orders: 12000, Products: 80}, nil)
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	out := ok(t, "-p", proj, "cohorts", "--segment", "Champions", "--compare", "Lost")
	for _, want := range []string{"Cohorts by first purchase (month) of segment Champions", "Cumulative revenue per customer:", "A: segment Champions against B: segment Lost"} {
		if !strings.Contains(out, want) {
			t.Errorf("cohorts: no %q in\n%s", want, out)
		}
	}
	// A cohort saved as a segment: as many customers as the report's
	// cohort, and listed with them.
	out = ok(t, "-p", proj, "--json", "cohorts", "--save-segment", "November 2024", "--cohort", "2024-11-15")
	var saved struct {
		Segment, Cohort, Description string
		Customers                    int
	}
	var rep struct {
		Cohorts []struct {
			Start     string
			Customers int
		}
	}
	if err := json.Unmarshal([]byte(out), &saved); err != nil {
		t.Fatal(err, out)
	}
	if err := json.Unmarshal([]byte(ok(t, "-p", proj, "--json", "cohorts")), &rep); err != nil {
		t.Fatal(err)
	}
	size := -1
	for _, c := range rep.Cohorts {
		if c.Start == "2024-11-01" {
			size = c.Customers
		}
	}
	if saved.Segment != "November 2024" || saved.Cohort != "2024-11-01" || saved.Customers != size || size <= 0 ||
		saved.Description != "customers whose first purchase was in November 2024 (orders, by month)" {
		t.Errorf("saved %+v; the report's cohort has %d", saved, size)
	}
	if out := ok(t, "-p", proj, "segment", "list"); !strings.Contains(out, "November 2024") {
		t.Errorf("segment list:\n%s", out)
	}
	out = ok(t, "-p", proj, "forecast", "--horizon", "3", "--metric", "orders")
	if !strings.Contains(out, "chosen by AICc") || !strings.Contains(out, "Backtest on the last") {
		t.Errorf("forecast:\n%s", out)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"forecast"}, "the horizon must be from 1 to 24 months"},
		{[]string{"forecast", "--horizon", "30"}, "the horizon must be from 1 to 24 months"},
		{[]string{"forecast", "--horizon", "0"}, "--horizon must be from 1 to 104 (got 0)"},
		{[]string{"forecast", "--horizon", "2", "--by", "day"}, `--by must be week | month (got "day")`},
		{[]string{"forecast", "--horizon", "2", "--metric", "profit"}, `--metric must be orders | revenue (got "profit")`},
		{[]string{"forecast", "--horizon", "2", "--level", "95"}, "--level must be more than 0 and less than 1 (got 95)"},
		{[]string{"forecast", "--horizon", "2", "--category", "No such"}, "no orders in orders have the category"},
		{[]string{"cohorts", "--by", "year"}, `--by must be month | week (got "year")`},
		{[]string{"cohorts", "--cohort-pair", "2024-11-01"}, "is not two dates"},
		{[]string{"cohorts", "--segment", "Nobody"}, "no segment named"},
		{[]string{"cohorts", "--save-segment", "Nov"}, "--save-segment needs --cohort"},
		{[]string{"cohorts", "--cohort", "2024-11-01"}, "give its name with --save-segment"},
		{[]string{"cohorts", "--save-segment", "Nov", "--cohort", "November"}, `--cohort "November" is not a date`},
		{[]string{"cohorts", "--save-segment", "Old", "--cohort", "1999-01-01"}, "no cohort starts in the month of"},
		{[]string{"cohorts", "--save-segment", "Champions", "--cohort", "2024-11-01"}, "is an RFM segment name"},
		{[]string{"chart", "cohorts", "--metric", "profit", "--out", filepath.Join(dir, "x.png")}, "choose retention, revenue or cumulative"},
	} {
		_, errs, code := run(t, append([]string{"-p", proj}, c.args...)...)
		if code == 0 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, %q; want %q", c.args, code, errs, c.want)
		}
	}
	for _, kind := range []string{"cohorts", "forecast"} {
		f := filepath.Join(dir, kind+".png")
		ok(t, "-p", proj, "chart", kind, "--out", f)
		if st, err := os.Stat(f); err != nil || st.Size() < 10000 {
			t.Errorf("chart %s: %v", kind, err)
		}
	}
}
