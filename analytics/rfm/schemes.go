package rfm

// anyScore matches every score.
var anyScore = Range{1, 5}

// Classic is the widely used ten-segment RFM scheme. Its textbook ranges
// overlap, so the rule order below is part of the definition. The order
// follows three principles a marketer can check:
//
//   - a rule that is a special case of another comes first (Champions
//     before Loyal Customers, Can't Lose Them before At Risk);
//   - the smaller, more specific box comes first where two boxes only
//     partly overlap (New Customers and Promising before Potential
//     Loyalist, Need Attention before At Risk and Potential Loyalist);
//   - otherwise the segment that better describes the customer wins: a
//     low spender who bought long ago is Lost, not At Risk (At Risk is for
//     those who spent big), a R2 customer is About To Sleep rather than
//     Lost, and a high-value customer whose recency slipped to 2 is At Risk
//     rather than Loyal.
//
// Cells no rule covers (for example one large order long ago, R1 F1 M5)
// are "Others".
var Classic = Scheme{
	Name:  "rfm",
	Title: "Classic RFM segments",
	Rules: []Rule{
		{Segment: "Champions", R: Range{4, 5}, F: Range{4, 5}, M: Range{4, 5}},
		{Segment: "Can't Lose Them", R: Range{1, 1}, F: Range{4, 5}, M: Range{4, 5}},
		{Segment: "New Customers", R: Range{4, 5}, F: Range{1, 1}, M: Range{1, 1}},
		{Segment: "Promising", R: Range{3, 4}, F: Range{1, 1}, M: Range{1, 1}},
		{Segment: "Need Attention", R: Range{2, 3}, F: Range{2, 3}, M: Range{2, 3}},
		{Segment: "About To Sleep", R: Range{2, 3}, F: Range{1, 2}, M: Range{1, 2}},
		{Segment: "Lost", R: Range{1, 2}, F: Range{1, 2}, M: Range{1, 2}},
		{Segment: "At Risk", R: Range{1, 2}, F: Range{2, 5}, M: Range{2, 5}},
		{Segment: "Loyal Customers", R: Range{2, 5}, F: Range{3, 5}, M: Range{3, 5}},
		{Segment: "Potential Loyalist", R: Range{3, 5}, F: Range{1, 3}, M: Range{1, 3}},
	},
	Other: "Others",
}

// Grid is the recency × frequency grid: ten segments that tile all 25
// (R, F) cells without overlap, so monetary value plays no part and no
// customer is left in Other.
var Grid = Scheme{
	Name:  "rf-grid",
	Title: "Recency × frequency grid",
	Rules: []Rule{
		{Segment: "Hibernating", R: Range{1, 2}, F: Range{1, 2}, M: anyScore},
		{Segment: "At Risk", R: Range{1, 2}, F: Range{3, 4}, M: anyScore},
		{Segment: "Can't Lose", R: Range{1, 2}, F: Range{5, 5}, M: anyScore},
		{Segment: "About To Sleep", R: Range{3, 3}, F: Range{1, 2}, M: anyScore},
		{Segment: "Need Attention", R: Range{3, 3}, F: Range{3, 3}, M: anyScore},
		{Segment: "Loyal Customers", R: Range{3, 4}, F: Range{4, 5}, M: anyScore},
		{Segment: "Promising", R: Range{4, 4}, F: Range{1, 1}, M: anyScore},
		{Segment: "New Customers", R: Range{5, 5}, F: Range{1, 1}, M: anyScore},
		{Segment: "Potential Loyalists", R: Range{4, 5}, F: Range{2, 3}, M: anyScore},
		{Segment: "Champions", R: Range{5, 5}, F: Range{4, 5}, M: anyScore},
	},
	Other: "Others",
}

// high and low are the levels of a two-level scheme (see Levels).
var high, low = Range{2, 2}, Range{1, 1}

// eightRules are the eight customer types of Chinese marketing practice
// (RFM 八类客户): R, F and M each high or low, high recency meaning a
// recent buyer. Every one of the 8 level combinations has exactly one rule.
var eightRules = []Rule{
	{Segment: "重要价值客户", R: high, F: high, M: high}, // important value
	{Segment: "重要发展客户", R: high, F: low, M: high},  // important develop
	{Segment: "重要保持客户", R: low, F: high, M: high},  // important retain
	{Segment: "重要挽留客户", R: low, F: low, M: high},   // important win-back
	{Segment: "一般价值客户", R: high, F: high, M: low},  // general value
	{Segment: "一般发展客户", R: high, F: low, M: low},   // general develop
	{Segment: "一般保持客户", R: low, F: high, M: low},   // general retain
	{Segment: "一般挽留客户", R: low, F: low, M: low},    // general win-back
}

// Eight is the eight-type scheme with each value high when strictly better
// than the mean of all customers' values, the usual form of the model.
var Eight = Scheme{
	Name:  "zh8",
	Title: "8 customer types, vs the mean",
	Rules: eightRules,
	Split: SplitMean,
}

// EightMedian is Eight with the median as the threshold, which outliers
// (a few very large spenders) do not pull up.
var EightMedian = Scheme{
	Name:  "zh8-median",
	Title: "8 customer types, vs the median",
	Rules: eightRules,
	Split: SplitMedian,
}

// Schemes returns the built-in schemes, Classic first.
func Schemes() []Scheme { return []Scheme{Classic, Grid, Eight, EightMedian} }

// Lookup returns the built-in scheme with the given name.
func Lookup(name string) (Scheme, bool) {
	for _, s := range Schemes() {
		if s.Name == name {
			return s, true
		}
	}
	return Scheme{}, false
}
