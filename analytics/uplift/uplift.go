// Package uplift models the effect of a treatment (a message, an offer) on
// each customer from a randomised experiment: who changes their behaviour
// because of it, rather than who would convert anyway.
//
// Three methods are built on the existing models (analytics/model):
//   - two-model: one model of the outcome for the treated, one for the
//     control group; uplift is the difference of their predictions;
//   - class-transform (Jaskowski & Jaroszewicz 2012): with the groups
//     balanced, Z = 1 for treated converters and control non-converters;
//     uplift is 2·P(Z=1) − 1;
//   - x-learner (Künzel, Sekhon, Bickel & Yu 2019): the two-model
//     predictions impute each customer's individual effect, which two
//     regressions learn, mixed by the share treated.
//
// Evaluation is on held-out customers: Qini and uplift curves, the Qini
// coefficient, uplift by decile, and what treating the top share gains.
package uplift

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"

	"github.com/marketbench/marketbench/analytics/model"
	"github.com/marketbench/marketbench/analytics/msg"
)

// Methods, as the user names them.
const (
	TwoModel       = "two-model"
	ClassTransform = "class-transform"
	XLearner       = "x-learner"
)

// Methods lists the methods.
var Methods = []string{TwoModel, ClassTransform, XLearner}

// Options choose the method and the model under it.
type Options struct {
	Method string
	// Spec names the features and the classifier (logreg or forest, with
	// its options); its Target is set here.
	Spec model.Spec
	// TestShare is the share of customers held out for evaluation; 0
	// means a half.
	TestShare float64
	Seed      uint64
	// Revenue, when set, is each customer's spend (aligned with the
	// rows), so targeting also reports the spend the treatment caused.
	Revenue []float64
}

// Model predicts each customer's uplift: the change in the outcome's
// probability that the treatment causes.
type Model struct {
	Method string
	// Treated is the share of treated customers in training, the
	// X-learner's mixing weight.
	Treated float64
	// Outcome models: M0 for control, M1 for treated (two-model and
	// x-learner), MZ for the transformed class; Tau0 and Tau1 the
	// x-learner's effect regressions.
	M0, M1, MZ, Tau0, Tau1 *model.Model
}

// minGroup is the fewest customers per group and outcome a model is
// trained with.
const minGroup = 20

// Train splits the customers (stratified by group and outcome), trains the
// method on one part and evaluates it on the other. y holds 0/1 outcomes.
func Train(ctx context.Context, d model.Data, treated []bool, y []float64, opt Options) (*Model, *Result, error) {
	n := d.Rows()
	if len(treated) != n || len(y) != n {
		return nil, nil, fmt.Errorf("internal: %d rows, %d treatment flags and %d outcomes", n, len(treated), len(y))
	}
	if opt.TestShare == 0 {
		opt.TestShare = 0.5
	}
	if !(opt.TestShare > 0 && opt.TestShare < 1) {
		return nil, nil, msg.Errorf("the held-out share must be between 0 and 1")
	}
	var counts [2][2]int
	for i := range n {
		if y[i] != 0 && y[i] != 1 {
			return nil, nil, msg.Errorf("the outcome must be 0 or 1 (converted or not); row %d has %g", i+1, y[i])
		}
		counts[b2i(treated[i])][int(y[i])]++
	}
	if counts[1][0]+counts[1][1] == 0 || counts[0][0]+counts[0][1] == 0 {
		return nil, nil, msg.Errorf("every customer is in one group; uplift needs treated and control customers")
	}
	for o := range 2 {
		if counts[0][o] < 2*minGroup {
			return nil, nil, msg.Errorf("the control group has only %d customers with outcome %d; uplift needs at least %d of each", counts[0][o], o, 2*minGroup)
		}
		if counts[1][o] < 2*minGroup {
			return nil, nil, msg.Errorf("the treated group has only %d customers with outcome %d; uplift needs at least %d of each", counts[1][o], o, 2*minGroup)
		}
	}
	train, test := split(treated, y, opt.TestShare, opt.Seed)
	m, err := fit(ctx, d.Subset(train), pickB(treated, train), pickF(y, train), opt)
	if err != nil {
		return nil, nil, err
	}
	pred, err := m.Predict(d.Subset(test))
	if err != nil {
		return nil, nil, err
	}
	res, err := Evaluate(pred, pickB(treated, test), pickF(y, test))
	if err != nil {
		return nil, nil, err
	}
	if opt.Revenue != nil {
		if len(opt.Revenue) != n {
			return nil, nil, fmt.Errorf("internal: %d revenues for %d rows", len(opt.Revenue), n)
		}
		res.revenue = pickF(opt.Revenue, test)
	}
	return m, res, nil
}

// split holds out a share of each (group, outcome) stratum.
func split(treated []bool, y []float64, share float64, seed uint64) (train, test []int) {
	rng := rand.New(rand.NewPCG(seed, 0x75706c696674))
	var strata [4][]int
	for i := range y {
		k := 2*b2i(treated[i]) + int(y[i])
		strata[k] = append(strata[k], i)
	}
	for _, s := range strata {
		rng.Shuffle(len(s), func(i, j int) { s[i], s[j] = s[j], s[i] })
		k := int(math.Round(share * float64(len(s))))
		test = append(test, s[:k]...)
		train = append(train, s[k:]...)
	}
	return train, test
}

func fit(ctx context.Context, d model.Data, treated []bool, y []float64, opt Options) (*Model, error) {
	m := &Model{Method: opt.Method}
	var nt int
	for _, t := range treated {
		if t {
			nt++
		}
	}
	m.Treated = float64(nt) / float64(len(treated))
	spec := opt.Spec
	spec.TestSize = 0.1 // the model's own check; the uplift is judged on the held-out customers
	var ctl, trt []int
	for i, t := range treated {
		if t {
			trt = append(trt, i)
		} else {
			ctl = append(ctl, i)
		}
	}
	classifier := func(rows []int, target []float64, name string) (*model.Model, error) {
		sub := d.Subset(rows)
		sub.Target = make([]string, len(rows))
		for i, r := range rows {
			sub.Target[i] = strconv.FormatFloat(target[r], 'g', -1, 64)
		}
		s := spec
		s.Target = name
		return model.Train(ctx, sub, s, nil)
	}
	var err error
	switch opt.Method {
	case TwoModel, XLearner:
		if m.M0, err = classifier(ctl, y, "outcome (control)"); err != nil {
			return nil, err
		}
		if m.M1, err = classifier(trt, y, "outcome (treated)"); err != nil {
			return nil, err
		}
		if opt.Method == XLearner {
			if err := m.fitX(ctx, d, ctl, trt, y, spec); err != nil {
				return nil, err
			}
		}
	case ClassTransform:
		// Balance the groups by sampling the larger down, so P(T) = 1/2
		// and 2·P(Z=1) − 1 is the uplift.
		rng := rand.New(rand.NewPCG(opt.Seed, 0x636c617373))
		a, b := ctl, trt
		if len(a) > len(b) {
			a, b = b, a
		}
		b = append([]int(nil), b...)
		rng.Shuffle(len(b), func(i, j int) { b[i], b[j] = b[j], b[i] })
		rows := append(append([]int(nil), a...), b[:len(a)]...)
		z := make([]float64, len(y))
		for i := range y {
			if treated[i] == (y[i] == 1) {
				z[i] = 1
			}
		}
		if m.MZ, err = classifier(rows, z, "transformed outcome"); err != nil {
			return nil, err
		}
	case "":
		return nil, msg.Errorf("choose a method: two-model, class-transform or x-learner")
	default:
		return nil, msg.Errorf("unknown method %q: use two-model, class-transform or x-learner", opt.Method)
	}
	return m, nil
}

// fitX learns the imputed individual effects: for the treated, the
// outcome minus the control model's prediction; for the control group,
// the treated model's prediction minus the outcome.
func (m *Model) fitX(ctx context.Context, d model.Data, ctl, trt []int, y []float64, spec model.Spec) error {
	spec.Algo = model.LinReg
	spec.C, spec.L1, spec.Balanced, spec.Trees, spec.MaxDepth, spec.MinLeaf, spec.Criterion = 0, false, false, 0, 0, 0, ""
	reg := func(rows []int, other *model.Model, sign float64, name string) (*model.Model, error) {
		sub := d.Subset(rows)
		p, err := other.Score(sub)
		if err != nil {
			return nil, err
		}
		sub.Target = make([]string, len(rows))
		for i, r := range rows {
			sub.Target[i] = strconv.FormatFloat(sign*(y[r]-p[i]), 'g', -1, 64)
		}
		s := spec
		s.Target = name
		return model.Train(ctx, sub, s, nil)
	}
	var err error
	if m.Tau1, err = reg(trt, m.M0, 1, "effect (treated)"); err != nil {
		return err
	}
	m.Tau0, err = reg(ctl, m.M1, -1, "effect (control)")
	return err
}

// Predict returns each customer's predicted uplift.
func (m *Model) Predict(d model.Data) ([]float64, error) {
	switch m.Method {
	case ClassTransform:
		p, err := m.MZ.Score(d)
		for i := range p {
			p[i] = 2*p[i] - 1
		}
		return p, err
	case XLearner:
		t0, err := m.Tau0.Score(d)
		if err != nil {
			return nil, err
		}
		t1, err := m.Tau1.Score(d)
		if err != nil {
			return nil, err
		}
		for i := range t0 {
			// Künzel et al.: weight the control-side estimate by the
			// propensity, here the constant share treated.
			t0[i] = m.Treated*t0[i] + (1-m.Treated)*t1[i]
		}
		return t0, nil
	}
	p0, err := m.M0.Score(d)
	if err != nil {
		return nil, err
	}
	p1, err := m.M1.Score(d)
	if err != nil {
		return nil, err
	}
	for i := range p0 {
		p1[i] -= p0[i]
	}
	return p1, nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func pickB(v []bool, idx []int) []bool {
	out := make([]bool, len(idx))
	for i, j := range idx {
		out[i] = v[j]
	}
	return out
}

func pickF(v []float64, idx []int) []float64 {
	out := make([]float64, len(idx))
	for i, j := range idx {
		out[i] = v[j]
	}
	return out
}
