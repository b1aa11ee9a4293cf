package cohort

import (
	"math"
	"slices"
	"testing"
	"time"
)

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

// Four customers by hand. January: a (buys Jan, Feb twice, Apr), b (Jan
// only). February: c (Feb, Mar), d (Feb, Apr). The data end in April.
func TestMonthlyByHand(t *testing.T) {
	ps := []Purchase{
		{"a", day("2024-01-05"), 10}, {"a", day("2024-02-01"), 5}, {"a", day("2024-02-20"), 5}, {"a", day("2024-04-30"), 20},
		{"b", day("2024-01-31"), 30},
		{"c", day("2024-02-10"), 8}, {"c", day("2024-03-10"), 4},
		{"d", day("2024-02-29"), 6}, {"d", day("2024-04-01"), 0},
		{"", day("2024-05-01"), 99}, // no customer: left out, so April stays the last month
	}
	tb, err := Build(ps, Month)
	if err != nil {
		t.Fatal(err)
	}
	if len(tb.Cohorts) != 2 || !tb.Last.Equal(day("2024-04-01")) {
		t.Fatalf("%d cohorts, last %v", len(tb.Cohorts), tb.Last)
	}
	jan, feb := tb.Cohorts[0], tb.Cohorts[1]
	check := func(name string, got, want []float64) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("%s: %v, want %v", name, got, want)
		}
		for i := range want {
			if math.Abs(got[i]-want[i]) > 1e-12 {
				t.Fatalf("%s: %v, want %v", name, got, want)
			}
		}
	}
	if jan.Customers != 2 || !slices.Equal(jan.Active, []int{2, 1, 0, 1}) {
		t.Fatalf("january %+v", jan)
	}
	check("jan retention", jan.Retention, []float64{1, 0.5, 0, 0.5})
	check("jan revenue/customer", jan.RevenuePerCustomer, []float64{20, 5, 0, 10})
	check("jan cumulative", jan.Cumulative, []float64{20, 25, 25, 35})
	if feb.Customers != 2 || !slices.Equal(feb.Active, []int{2, 1, 1}) {
		t.Fatalf("february %+v", feb)
	}
	check("feb retention", feb.Retention, []float64{1, 0.5, 0.5})
	check("feb cumulative", feb.Cumulative, []float64{7, 9, 9})

	// Pooled: period 1 has both cohorts (4 customers, 2 active, spend
	// 10 + 4 over 4); period 3
	// only January's.
	p := tb.Pooled()
	if !slices.Equal(p.Customers, []int{4, 4, 4, 2}) {
		t.Fatalf("pooled customers %v", p.Customers)
	}
	check("pooled retention", p.Retention, []float64{1, 0.5, 0.25, 0.5})
	check("pooled cumulative", p.Cumulative, []float64{13.5, 13.5 + 3.5, 13.5 + 3.5, 13.5 + 3.5 + 10})

	c := Compare(CurveOf(jan), CurveOf(feb))
	check("difference", c.Retention, []float64{0, 0, -0.5})
	check("cumulative difference", c.Cumulative, []float64{13, 16, 16})
	if tb.Find(day("2024-02-15")) != &tb.Cohorts[1] || tb.Find(day("2023-12-01")) != nil {
		t.Fatal("Find")
	}
}

// Weeks start on Monday: Sunday 7 January 2024 belongs to the week of
// Monday 1 January; Monday 8 January starts the next.
func TestWeeks(t *testing.T) {
	ps := []Purchase{{"a", day("2024-01-07"), 1}, {"a", day("2024-01-08"), 1}, {"b", day("2024-01-01"), 1}, {"b", day("2024-01-21"), 2}}
	tb, err := Build(ps, Week)
	if err != nil {
		t.Fatal(err)
	}
	if len(tb.Cohorts) != 1 || !tb.Cohorts[0].Start.Equal(day("2024-01-01")) || !slices.Equal(tb.Cohorts[0].Active, []int{2, 1, 1}) {
		t.Fatalf("%+v", tb.Cohorts)
	}
	if Week.Index(day("2023-12-25"), day("2024-01-07")) != 1 || Month.Index(day("2023-11-01"), day("2024-02-29")) != 3 {
		t.Fatal("Index")
	}
}

func TestNoPurchases(t *testing.T) {
	if _, err := Build([]Purchase{{"", day("2024-01-01"), 1}}, Month); err == nil {
		t.Fatal("no customers: want an error")
	}
	if _, err := Build(nil, Period(7)); err == nil {
		t.Fatal("bad period: want an error")
	}
}

// A group that stopped buying is followed to the end of the data, with
// nobody active in the periods after its last purchase.
func TestBuildTo(t *testing.T) {
	ps := []Purchase{{"a", day("2024-01-05"), 10}, {"a", day("2024-02-05"), 10}}
	tb, err := BuildTo(ps, Month, day("2024-05-31"))
	if err != nil {
		t.Fatal(err)
	}
	c := tb.Cohorts[0]
	if !slices.Equal(c.Active, []int{1, 1, 0, 0, 0}) || c.Cumulative[4] != 20 || !tb.Last.Equal(day("2024-05-01")) {
		t.Fatalf("%+v", c)
	}
	// An end before the data changes nothing.
	if tb, _ := BuildTo(ps, Month, day("2023-01-01")); len(tb.Cohorts[0].Active) != 2 {
		t.Fatalf("%+v", tb.Cohorts[0])
	}
}

// TestMembers names the customers of a cohort by any day of its period:
// a customer belongs to the period of the first purchase only.
func TestMembers(t *testing.T) {
	ps := []Purchase{
		{"b", day("2024-01-31"), 30}, {"a", day("2024-01-05"), 10}, {"a", day("2024-02-01"), 5},
		{"c", day("2024-02-10"), 8}, {"", day("2024-01-02"), 1},
	}
	if got := Members(ps, Month, day("2024-01-20")); !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("january %v", got)
	}
	if got := Members(ps, Month, day("2024-02-29")); !slices.Equal(got, []string{"c"}) {
		t.Fatalf("february %v", got)
	}
	if got := Members(ps, Month, day("2024-03-01")); len(got) != 0 {
		t.Fatalf("march %v", got)
	}
	// Week of Monday 29 January: b (31 Jan) and a's second purchase, but a
	// first bought in the week of 1 January.
	if got := Members(ps, Week, day("2024-02-04")); !slices.Equal(got, []string{"b"}) {
		t.Fatalf("week %v", got)
	}
}
