package core

import (
	"context"
	"math"
	"time"

	"github.com/marketbench/marketbench/analytics/recommend"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage/purchases"
)

// BasketOptions filter association rules; zero values use the defaults.
type BasketOptions struct {
	MinSupport, MinConfidence, MinLift float64
	MaxLen                             int // items in a rule, both sides; 0: 3
}

// BasketRule is an association rule with product names.
type BasketRule struct {
	If, Then                                        []string
	Orders                                          int
	Support, Confidence, Lift, Leverage, Conviction float64
}

// BasketResult is the rules of an order table's baskets.
type BasketResult struct {
	Baskets  int
	Products int
	Rules    []BasketRule
	Skipped  purchases.Skipped
	Took     time.Duration
}

// BasketRules mines "customers who bought A also bought B" rules from the
// orders (one basket per order id, with or without a customer) with
// FP-growth. The defaults: support
// 0.5 % of baskets, confidence 0.3, lift 1, rules of up to 3 products.
func (w *Workspace) BasketRules(ctx context.Context, orders string, opt BasketOptions) (*BasketResult, error) {
	if opt.MinSupport == 0 {
		opt.MinSupport = 0.005
	}
	if opt.MinConfidence == 0 {
		opt.MinConfidence = 0.3
	}
	if opt.MaxLen == 0 {
		opt.MaxLen = 3
	}
	if !(opt.MinSupport > 0 && opt.MinSupport <= 1) || opt.MinConfidence < 0 || opt.MinConfidence > 1 || opt.MinLift < 0 || math.IsNaN(opt.MinLift) || opt.MaxLen < 2 {
		return nil, i18n.Errorf("support must be in (0, 1], confidence in [0, 1], lift at least 0 and rules at least 2 products long")
	}
	// An invoice is a basket whether or not its buyer is known.
	set, err := purchases.ReadWith(ctx, w.Project, orders, purchases.Options{Baskets: true})
	if err != nil {
		return nil, err
	}
	if len(set.Purchases) == 0 {
		return nil, i18n.Errorf("%s has no purchases (after leaving out returns and cancelled orders)", orders)
	}
	start := time.Now()
	baskets := make([][]int32, len(set.Orders))
	for _, p := range set.Purchases {
		baskets[p.Order] = append(baskets[p.Order], p.Product)
	}
	fp, err := recommend.FPGrowth(baskets, recommend.FPOptions{MinSupport: opt.MinSupport, MaxLen: opt.MaxLen})
	if err != nil {
		return nil, err
	}
	rules, err := recommend.Rules(fp, recommend.RuleFilter{MinSupport: opt.MinSupport, MinConfidence: opt.MinConfidence, MinLift: opt.MinLift, MaxLen: opt.MaxLen})
	if err != nil {
		return nil, err
	}
	res := &BasketResult{Baskets: len(baskets), Products: len(set.Products), Skipped: set.Skipped, Took: time.Since(start)}
	names := func(ids []int32) []string {
		out := make([]string, len(ids))
		for i, id := range ids {
			out[i] = set.Products[id]
		}
		return out
	}
	for _, r := range rules {
		res.Rules = append(res.Rules, BasketRule{If: names(r.Antecedent), Then: names(r.Consequent), Orders: r.Count,
			Support: r.Support, Confidence: r.Confidence, Lift: r.Lift, Leverage: r.Leverage, Conviction: r.Conviction})
	}
	return res, nil
}
