// Package clv estimates customer lifetime value with the "buy till you
// die" models: BG/NBD (Fader, Hardie & Lee 2005) and MBG/NBD (Batislam,
// Denizel & Filiztekin 2007) for the number of repeat purchases, and the
// Gamma-Gamma model (Fader, Hardie & Lee 2005; Fader & Hardie 2013) for
// their value. All are fitted by maximum likelihood with gonum's BFGS on
// analytic gradients.
//
// The input is a per-customer summary in the BTYD literature's terms
// (see [Summarize]): frequency x (repeat purchases, same-day orders merged),
// recency t_x (time of the last purchase since the first), T (age: time
// since the first purchase to the end of calibration), all in periods.
//
// The package is pure: no cgo, nothing of Marketbench but analytics/msg.
package clv
