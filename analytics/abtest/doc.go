// Package abtest judges campaign results: A/B/n variants against a holdout
// (control) group, on a conversion rate and, optionally, revenue per
// customer. It also plans tests (sample size, power) and checks that the
// groups came out the size they were planned to be.
//
// Inputs are counts, not rows: customers per group, how many converted,
// and for revenue the mean and sample standard deviation over every
// customer of the group (non-buyers count as 0). Those are one SQL
// aggregate away; SummarizeRevenue builds them from raw amounts.
//
// # The statistics, and why these
//
// Per group:
//   - Rate with the Wilson score interval: it stays inside [0, 1] and keeps
//     close to its nominal coverage for small groups and rates near 0, where
//     the Wald interval p ± z·√(p(1-p)/n), also reported, is too narrow
//     (at 0 conversions it is the single point 0).
//   - Mean revenue per customer ± t(n-1)·SD/√n (scipy.stats.t.interval).
//     It relies on the central limit theorem, not on revenue being normal;
//     with the usual mass of zeros and a long tail it needs groups in the
//     thousands, as every campaign readout has anyway.
//
// Each variant against the control:
//   - Absolute lift (difference in rates) with the unpooled normal
//     interval, and relative lift (ratio - 1) with the log risk-ratio
//     (Katz) interval, which is not symmetric, as a ratio's should not be.
//   - Pooled two-proportion z-test, two-sided (statsmodels
//     proportions_ztest). The test pools because under "no difference"
//     both groups share one rate; the interval does not, because it
//     describes the difference that was observed. At the margin the two can
//     disagree about whether 0 is plausible; the test's p-value decides.
//   - Chi-square test of independence on the 2×2 table, by default without
//     continuity correction, like scipy.stats.chi2_contingency(correction=False):
//     then chi-square = z² and the p-values are identical. Options.Yates
//     applies Yates' correction (scipy's correction=True), which is
//     conservative; it matters only for small counts.
//   - An overall k×2 chi-square test over all groups ("does the rate
//     differ anywhere?"), with k-1 degrees of freedom.
//   - Welch's t-test on revenue per customer, which does not assume equal
//     variances (scipy.stats.ttest_ind(equal_var=False)), with the
//     Welch–Satterthwaite degrees of freedom, and the matching interval for
//     the difference in means.
//   - With several variants, Options.Adjust applies Holm's step-down (or
//     Bonferroni) correction to the z-test p-values and, separately, to the
//     Welch p-values. Holm controls the same family-wise error rate as
//     Bonferroni and is never less powerful. Significant uses the adjusted
//     z-test p-value. Intervals and the Bayesian numbers are not adjusted.
//
// Bayesian: with uniform Beta(1, 1) priors the posterior of a rate is
// Beta(1+conversions, 1+non-conversions). P(variant > control) is computed
// exactly with Evan Miller's finite sum (no sampling, so the same counts
// always give the same number), as are the expected losses
// E[max(rate_control - rate_variant, 0)] (the cost of shipping the variant
// if it is in fact worse) and the reverse. The sum has one term per
// conversion, so 200,000 conversions take milliseconds; it is evaluated as
// a product of integer ratios with power-of-two rescaling, accurate to
// about 1e-14 relative, tail probabilities of 1e-113 included.
//
// Sample ratio mismatch: a chi-square goodness-of-fit test of the group
// sizes against the planned split (scipy.stats.chisquare), flagged below
// p = 0.001 (SRMThreshold). A mismatch means assignment, delivery or
// tracking went wrong, and the lifts cannot be trusted until it is
// explained; Report.SRM.Message says so in plain words.
//
// Planning, for two equal groups and a two-sided test: SampleSize and
// Power with either the Fleiss formula (the default; the one in textbooks,
// R's power.prop.test and most online calculators) or the arcsine method
// (statsmodels NormalIndPower with Cohen's h), which asks for slightly
// fewer customers. See PowerMethod.
//
// Undefined numbers are NaN (or +Inf for a relative lift over a zero
// control rate), never a made-up 0, and Report.Notes says why in words.
// encoding/json cannot marshal NaN or Inf; a caller writing JSON must map
// them (to null, say).
//
// # How it is checked
//
// testdata/gen_fixtures.py writes the references with scipy 1.10,
// statsmodels 0.13 and mpmath (50-digit arithmetic for the Bayesian sums,
// cross-checked there against mpmath and scipy quadrature). The Go tests
// compare every number within 1e-9 relative (p-values and tail
// probabilities purely relative, so a p of 1e-112 must match to 9 digits);
// the largest difference seen is about 2e-11. On the Hillstrom e-mail data
// the inputs are the per-segment counts and the references are computed by
// pandas and scipy from the 64,000 raw rows. See testdata/README.md.
package abtest
