// Package nba chooses the next best action for each customer: among a set
// of actions (offers, messages) or doing nothing, the one with the highest
// expected value, uplift × value − cost, within a budget and a limit on
// the number of customers contacted.
//
// Under a budget the choice is the Lagrangian relaxation of the knapsack:
// each customer takes the action maximising EV − λ·cost, with the
// smallest λ ≥ 0 whose plan fits the budget. No plan that spends at most
// what it spends is worth more (a brute-force test checks this on small
// cases); some budget may be left that only a costlier mix could use.
package nba

import (
	"fmt"
	"math"
	"sort"

	"github.com/marketbench/marketbench/analytics/msg"
)

// Action is one thing that can be done to a customer.
type Action struct {
	Name string
	Cost float64 // per customer contacted, ≥ 0
}

// Options bound the plan; zero means no bound.
type Options struct {
	Budget      float64
	MaxContacts int
}

// Why a customer got what they got.
const (
	Chosen       = "chosen"        // the best action, worth its cost
	NotWorthIt   = "not worth it"  // no action's value exceeds its cost
	OverBudget   = "over budget"   // a worthwhile action did not fit the budget
	OverContacts = "over contacts" // a worthwhile action was cut by the contact limit
)

// Choice is one customer's decision. Action is -1 for doing nothing; Best
// is the action with the highest expected value (even when not chosen),
// -1 without actions.
type Choice struct {
	Action, Best int
	// EV is the chosen action's expected value (0 for nothing); BestEV
	// the best action's, for the explanation.
	EV, BestEV float64
	Why        string
}

// Plan is the decision for every customer.
type Plan struct {
	Choices   []Choice
	Contacted int
	Cost, EV  float64
	// Lambda is the price of a unit of budget the plan settled on (0
	// when the budget did not bind).
	Lambda float64
}

// Decide plans customers × actions, where uplift[i][a] is the change in
// conversion probability action a causes for customer i and value[i][a]
// what a conversion is worth.
func Decide(actions []Action, uplift, value [][]float64, opt Options) (*Plan, error) {
	if len(actions) == 0 {
		return nil, msg.Errorf("give at least one action")
	}
	for _, a := range actions {
		if !(a.Cost >= 0) || math.IsInf(a.Cost, 0) {
			return nil, msg.Errorf("action %q has a cost that is not a number of at least 0", a.Name)
		}
	}
	if !(opt.Budget >= 0) || opt.MaxContacts < 0 {
		return nil, msg.Errorf("the budget and the contact limit cannot be negative")
	}
	if len(value) != len(uplift) {
		return nil, fmt.Errorf("internal: %d customers of uplift, %d of value", len(uplift), len(value))
	}
	ev := make([][]float64, len(uplift))
	for i := range uplift {
		if len(uplift[i]) != len(actions) || len(value[i]) != len(actions) {
			return nil, fmt.Errorf("internal: customer %d has %d uplifts and %d values for %d actions", i, len(uplift[i]), len(value[i]), len(actions))
		}
		ev[i] = make([]float64, len(actions))
		for a := range actions {
			u, v := uplift[i][a], value[i][a]
			if math.IsNaN(u) || math.IsNaN(v) {
				ev[i][a] = math.Inf(-1) // unknown: never chosen
				continue
			}
			ev[i][a] = u*v - actions[a].Cost
		}
	}
	p := &Plan{Choices: make([]Choice, len(ev))}
	pick := func(lambda float64) (cost float64) {
		for i, e := range ev {
			c := Choice{Action: -1, Best: -1, BestEV: math.Inf(-1), Why: NotWorthIt}
			score := 0.0
			for a, v := range e {
				if v > c.BestEV {
					c.Best, c.BestEV = a, v
				}
				if s := v - lambda*actions[a].Cost; v > 0 && s > score {
					c.Action, c.EV, score = a, v, s
				}
			}
			if c.Action >= 0 {
				c.Why = Chosen
				cost += actions[c.Action].Cost
			} else if c.BestEV > 0 {
				c.Why = OverBudget
			}
			p.Choices[i] = c
		}
		return cost
	}
	if cost := pick(0); opt.Budget > 0 && cost > opt.Budget {
		// The smallest λ whose plan fits: cost falls as λ rises.
		lo, hi := 0.0, 1.0
		for pick(hi) > opt.Budget && hi < 1e12 {
			lo, hi = hi, hi*2
		}
		for range 100 {
			mid := (lo + hi) / 2
			if pick(mid) > opt.Budget {
				lo = mid
			} else {
				hi = mid
			}
		}
		pick(hi)
		p.Lambda = hi
	}
	if opt.MaxContacts > 0 {
		var idx []int
		for i, c := range p.Choices {
			if c.Action >= 0 {
				idx = append(idx, i)
			}
		}
		if len(idx) > opt.MaxContacts {
			// Keep the customers whose action is worth most net of the
			// budget's price; ties by customer order.
			key := func(i int) float64 { c := p.Choices[i]; return c.EV - p.Lambda*actions[c.Action].Cost }
			sort.SliceStable(idx, func(a, b int) bool { return key(idx[a]) > key(idx[b]) })
			for _, i := range idx[opt.MaxContacts:] {
				p.Choices[i].Action, p.Choices[i].EV, p.Choices[i].Why = -1, 0, OverContacts
			}
		}
	}
	for _, c := range p.Choices {
		if c.Action >= 0 {
			p.Contacted++
			p.Cost += actions[c.Action].Cost
			p.EV += c.EV
		}
	}
	return p, nil
}
