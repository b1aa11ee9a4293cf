package nba

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestDecideByHand: three customers, two actions.
func TestDecideByHand(t *testing.T) {
	actions := []Action{{"email", 0.1}, {"coupon", 5}}
	uplift := [][]float64{{0.05, 0.20}, {0.001, 0.01}, {0.04, 0.02}}
	value := [][]float64{{100, 100}, {100, 100}, {100, 100}}
	// EV: c0 email 4.9, coupon 15; c1 email 0, coupon −4; c2 email 3.9, coupon −3.
	p, err := Decide(actions, uplift, value, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []Choice{{1, 1, 15, 15, Chosen}, {-1, 0, 0, 0, NotWorthIt}, {0, 0, 3.9, 3.9, Chosen}}
	for i, c := range p.Choices {
		w := want[i]
		if c.Action != w.Action || c.Best != w.Best || math.Abs(c.EV-w.EV) > 1e-9 || math.Abs(c.BestEV-w.BestEV) > 1e-9 || c.Why != w.Why {
			t.Errorf("customer %d: %+v, want %+v", i, c, w)
		}
	}
	if p.Contacted != 2 || math.Abs(p.Cost-5.1) > 1e-9 || math.Abs(p.EV-18.9) > 1e-9 {
		t.Errorf("plan: %d contacted, cost %.2f, EV %.2f", p.Contacted, p.Cost, p.EV)
	}
	// A budget of 1 cannot pay for the coupon: customer 0 gets the e-mail.
	p, _ = Decide(actions, uplift, value, Options{Budget: 1})
	if p.Choices[0].Action != 0 || p.Choices[2].Action != 0 || math.Abs(p.Cost-0.2) > 1e-9 {
		t.Errorf("budget 1: %+v, cost %.2f", p.Choices, p.Cost)
	}
	// One contact: the most valuable.
	p, _ = Decide(actions, uplift, value, Options{MaxContacts: 1})
	if p.Choices[0].Action != 1 || p.Choices[2].Action != -1 || p.Choices[2].Why != OverContacts {
		t.Errorf("one contact: %+v", p.Choices)
	}
	for _, c := range []struct {
		a    []Action
		o    Options
		want string
	}{
		{nil, Options{}, "at least one action"},
		{[]Action{{"x", -1}}, Options{}, "cost"},
		{actions, Options{Budget: -1}, "negative"},
	} {
		if _, err := Decide(c.a, uplift, value, c.o); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v", c, err)
		}
	}
}

// TestDecideAgainstBruteForce: under a budget, no plan spending at most
// what ours spends is worth more, on random small cases.
func TestDecideAgainstBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := range 200 {
		n, na := 2+rng.IntN(5), 1+rng.IntN(3)
		actions := make([]Action, na)
		for a := range actions {
			actions[a] = Action{Cost: math.Round(rng.Float64()*10*100) / 100}
		}
		uplift := make([][]float64, n)
		value := make([][]float64, n)
		for i := range n {
			uplift[i], value[i] = make([]float64, na), make([]float64, na)
			for a := range na {
				uplift[i][a] = rng.Float64()*0.3 - 0.05
				value[i][a] = 10 + rng.Float64()*90
			}
		}
		budget := rng.Float64() * 20
		p, err := Decide(actions, uplift, value, Options{Budget: budget})
		if err != nil {
			t.Fatal(err)
		}
		if p.Cost > budget+1e-9 {
			t.Fatalf("trial %d: cost %.3f over budget %.3f", trial, p.Cost, budget)
		}
		best := math.Inf(-1)
		choice := make([]int, n)
		var walk func(i int, cost, ev float64)
		walk = func(i int, cost, ev float64) {
			if cost > p.Cost+1e-9 {
				return
			}
			if i == n {
				best = max(best, ev)
				return
			}
			for a := -1; a < na; a++ {
				choice[i] = a
				if a < 0 {
					walk(i+1, cost, ev)
				} else {
					walk(i+1, cost+actions[a].Cost, ev+uplift[i][a]*value[i][a]-actions[a].Cost)
				}
			}
		}
		walk(0, 0, 0)
		if p.EV < best-1e-9 {
			t.Errorf("trial %d: plan worth %.4f (cost %.3f), a plan of no more cost is worth %.4f", trial, p.EV, p.Cost, best)
		}
	}
}
