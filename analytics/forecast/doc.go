// Package forecast fits exponential smoothing models to a time series and
// forecasts it with prediction intervals: simple, Holt (additive trend,
// optionally damped) and Holt-Winters (additive or multiplicative
// seasonality), in the innovations state-space (ETS) form of Hyndman et al.
// (2008).
//
// The definitions follow statsmodels' ETSModel (0.13) so that its figures
// are a reference: the parameters and the initial states are estimated
// together by maximum likelihood with the variance concentrated out, under
// the usual bounds (0 < α < 1, 0 < β < α, 0 < γ < 1 − α, 0.8 ≤ φ ≤ 0.98,
// each smoothing parameter at least 1e-4 from its bound); the oldest
// seasonal state is fixed (0, or 1 when multiplicative) so the others are
// identified; AIC and AICc count every parameter and initial state plus the
// variance. Prediction intervals are analytic for the additive-error models
// (the formulas of Hyndman & Athanasopoulos, as statsmodels' "exact"
// method) and simulated for the multiplicative-error ones.
//
// A model is chosen among the candidates by AICc, and checked by a
// backtest on a holdout against the seasonal naive forecast.
package forecast
