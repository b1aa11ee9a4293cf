package rfm

import (
	"fmt"
	"slices"
	"testing"
)

// classicTable is the expected Classic segment of every cell, written out
// by hand so that a change to the rules or their order has to be made
// twice. Row "R1 F2" lists the segments for M = 1..5.
var classicTable = map[string][5]string{
	"R1 F1": {LO, LO, OT, OT, OT},
	"R1 F2": {LO, LO, AR, AR, AR},
	"R1 F3": {OT, AR, AR, AR, AR},
	"R1 F4": {OT, AR, AR, CL, CL},
	"R1 F5": {OT, AR, AR, CL, CL},
	"R2 F1": {AS, AS, OT, OT, OT},
	"R2 F2": {AS, NA, NA, AR, AR},
	"R2 F3": {OT, NA, NA, AR, AR},
	"R2 F4": {OT, AR, AR, AR, AR},
	"R2 F5": {OT, AR, AR, AR, AR},
	"R3 F1": {PR, AS, PL, OT, OT},
	"R3 F2": {AS, NA, NA, OT, OT},
	"R3 F3": {PL, NA, NA, LC, LC},
	"R3 F4": {OT, OT, LC, LC, LC},
	"R3 F5": {OT, OT, LC, LC, LC},
	"R4 F1": {NC, PL, PL, OT, OT},
	"R4 F2": {PL, PL, PL, OT, OT},
	"R4 F3": {PL, PL, LC, LC, LC},
	"R4 F4": {OT, OT, LC, CH, CH},
	"R4 F5": {OT, OT, LC, CH, CH},
	"R5 F1": {NC, PL, PL, OT, OT},
	"R5 F2": {PL, PL, PL, OT, OT},
	"R5 F3": {PL, PL, LC, LC, LC},
	"R5 F4": {OT, OT, LC, CH, CH},
	"R5 F5": {OT, OT, LC, CH, CH},
}

const (
	CH = "Champions"
	LC = "Loyal Customers"
	PL = "Potential Loyalist"
	NC = "New Customers"
	PR = "Promising"
	NA = "Need Attention"
	AS = "About To Sleep"
	AR = "At Risk"
	CL = "Can't Lose Them"
	LO = "Lost"
	OT = "Others"
)

func TestClassicAllCells(t *testing.T) {
	if len(classicTable) != 25 {
		t.Fatalf("table has %d rows, want 25", len(classicTable))
	}
	for r := 1; r <= 5; r++ {
		for f := 1; f <= 5; f++ {
			row, ok := classicTable[fmt.Sprintf("R%d F%d", r, f)]
			if !ok {
				t.Fatalf("table misses R%d F%d", r, f)
			}
			for m := 1; m <= 5; m++ {
				if got, want := Classic.Segment(r, f, m), row[m-1]; got != want {
					t.Errorf("Classic.Segment(%d, %d, %d) = %q, want %q", r, f, m, got, want)
				}
			}
		}
	}
}

// Every Classic segment must own at least one cell, or the rule order has
// made a segment unreachable.
func TestClassicEverySegmentReachable(t *testing.T) {
	got := map[string]bool{}
	for r := 1; r <= 5; r++ {
		for f := 1; f <= 5; f++ {
			for m := 1; m <= 5; m++ {
				got[Classic.Segment(r, f, m)] = true
			}
		}
	}
	for _, name := range Classic.Segments() {
		if !got[name] {
			t.Errorf("segment %q owns no cell", name)
		}
	}
	if n := len(Classic.Segments()); n != 11 {
		t.Errorf("Classic has %d segments, want 10 plus Others", n)
	}
}

func TestGridAllCells(t *testing.T) {
	// Rows are R = 5 down to 1, columns F = 1..5, as the grid is usually drawn.
	want := [5][5]string{
		{"New Customers", "Potential Loyalists", "Potential Loyalists", "Champions", "Champions"},
		{"Promising", "Potential Loyalists", "Potential Loyalists", "Loyal Customers", "Loyal Customers"},
		{"About To Sleep", "About To Sleep", "Need Attention", "Loyal Customers", "Loyal Customers"},
		{"Hibernating", "Hibernating", "At Risk", "At Risk", "Can't Lose"},
		{"Hibernating", "Hibernating", "At Risk", "At Risk", "Can't Lose"},
	}
	for r := 1; r <= 5; r++ {
		for f := 1; f <= 5; f++ {
			for m := 1; m <= 5; m++ {
				got := Grid.Segment(r, f, m)
				if got != want[5-r][f-1] {
					t.Errorf("Grid.Segment(%d, %d, %d) = %q, want %q", r, f, m, got, want[5-r][f-1])
				}
				// The grid tiles the cells: exactly one rule matches.
				n := 0
				for _, u := range Grid.Rules {
					if u.Match(r, f, m) {
						n++
					}
				}
				if n != 1 {
					t.Errorf("R%d F%d M%d matches %d grid rules, want 1", r, f, m, n)
				}
			}
		}
	}
}

func TestRulesWellFormed(t *testing.T) {
	for _, s := range Schemes() {
		// Only a two-level scheme may do without Other, and then its rules
		// must cover every level combination (TestEightAllCells).
		if s.Name == "" || s.Title == "" || (s.Other == "" && s.Split == NoSplit) {
			t.Errorf("scheme %+v lacks a name, title or Other", s.Name)
		}
		top := 5
		if s.Split != NoSplit {
			top = 2
		}
		for _, u := range s.Rules {
			for _, rg := range []Range{u.R, u.F, u.M} {
				if rg.Lo < 1 || rg.Hi > top || rg.Lo > rg.Hi {
					t.Errorf("%s: rule %q has bad range %v", s.Name, u.Segment, rg)
				}
			}
		}
	}
}

func TestLookup(t *testing.T) {
	for _, name := range []string{"rfm", "rf-grid", "zh8", "zh8-median"} {
		s, ok := Lookup(name)
		if !ok || s.Name != name {
			t.Errorf("Lookup(%q) = %q, %v", name, s.Name, ok)
		}
	}
	if _, ok := Lookup("nope"); ok {
		t.Error("Lookup(nope) found a scheme")
	}
	var names []string
	for _, s := range Schemes() {
		names = append(names, s.Name)
	}
	if !slices.Equal(names, []string{"rfm", "rf-grid", "zh8", "zh8-median"}) {
		t.Errorf("Schemes() = %v", names)
	}
}

func TestSegmentsOrder(t *testing.T) {
	s := Scheme{Rules: []Rule{{Segment: "a"}, {Segment: "b"}, {Segment: "a"}}, Other: "z"}
	if got := s.Segments(); !slices.Equal(got, []string{"a", "b", "z"}) {
		t.Errorf("Segments() = %v", got)
	}
}

func TestFirstRuleWins(t *testing.T) {
	s := Scheme{
		Rules: []Rule{
			{Segment: "first", R: Range{1, 5}, F: Range{1, 5}, M: Range{5, 5}},
			{Segment: "second", R: Range{1, 5}, F: Range{1, 5}, M: Range{4, 5}},
		},
		Other: "other",
	}
	for m, want := range map[int]string{5: "first", 4: "second", 3: "other"} {
		if got := s.Segment(3, 3, m); got != want {
			t.Errorf("M=%d: got %q, want %q", m, got, want)
		}
	}
}
