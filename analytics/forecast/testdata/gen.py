#!/usr/bin/env python3
"""Reference figures for analytics/forecast from statsmodels' ETSModel.

Run from the repository root with Debian's python3-statsmodels
(./.ci/setup.sh python3-statsmodels):

    /usr/bin/python3 analytics/forecast/testdata/gen.py

It writes analytics/forecast/testdata/statsmodels.json: for each series,
every candidate model fitted by maximum likelihood (parameters, initial
states, log-likelihood, AIC, AICc, fitted values) and its 12-step forecast
with a 95% interval (exact for additive-error models, simulated with 10000
paths otherwise). The Go tests read that file; they do not need Python.
"""
import gzip
import json
import warnings

import numpy as np
import pandas as pd
import statsmodels
import statsmodels.api as sm
from statsmodels.tsa.exponential_smoothing.ets import ETSModel

warnings.simplefilter("ignore")
H = 12


def online_retail_weekly():
    # Weekly revenue (quantity x unit price of the lines with a positive
    # amount) over the full Monday-to-Sunday weeks of Online Retail.
    with gzip.open("testdata/real/OnlineRetail.csv.gz", "rt", encoding="utf-8") as f:
        d = pd.read_csv(f, usecols=["Quantity", "InvoiceDate", "UnitPrice"])
    d["amount"] = d.Quantity * d.UnitPrice
    d = d[d.amount > 0]
    day = pd.to_datetime(d.InvoiceDate).dt.normalize()
    week = day - pd.to_timedelta(day.dt.weekday, unit="D")
    s = d.groupby(week).amount.sum()
    idx = pd.date_range("2010-12-06", "2011-11-28", freq="7D")
    return [str(x.date()) for x in idx], s.reindex(idx, fill_value=0).round(2).tolist()


def co2_monthly():
    # Monthly means of the Mauna Loa CO2 series shipped with statsmodels,
    # 1992-2001: trend and seasonality, all positive.
    d = sm.datasets.co2.load_pandas().data.co2.resample("MS").mean()["1992":"2001"]
    return [str(x.date())[:7] for x in d.index], d.round(4).tolist()


def specs(season, positive):
    out = []
    for trend, damped in [(None, False), ("add", False), ("add", True)]:
        out.append(("add", trend, damped, None))
        if season:
            out.append(("add", trend, damped, "add"))
            if positive:
                out.append(("mul", trend, damped, "mul"))
    return out


def fit(y, err, trend, damped, seas, m):
    mod = ETSModel(pd.Series(np.asarray(y, float)), error=err, trend=trend, damped_trend=damped,
                   seasonal=seas, seasonal_periods=m if seas else None)
    r = mod.fit(disp=False, maxiter=10000)
    p = {"alpha": r.smoothing_level, "initial_level": r.initial_level}
    if trend:
        p["beta"], p["initial_trend"] = r.smoothing_trend, r.initial_trend
    if seas:
        p["gamma"] = r.smoothing_seasonal
        p["initial_seasonal"] = np.asarray(r.initial_seasonal).tolist()
    p["phi"] = r.damping_trend if damped else 1.0
    pr = r.get_prediction(start=len(y), end=len(y) + H - 1, simulate_repetitions=10000, random_state=1)
    fr = pr.summary_frame(alpha=0.05)
    return {
        "name": mod.short_name, "error": err, "trend": trend or "none", "damped": damped,
        "seasonal": seas or "none", "period": m if seas else 0, "params": p,
        "llf": r.llf, "aic": r.aic, "aicc": r.aicc, "mse": r.mse,
        "converged": bool(r.mle_retvals.get("converged", True)),
        "fitted": np.asarray(r.fittedvalues).tolist(),
        "forecast": {"method": pr.method, "mean": fr["mean"].tolist(),
                     "lower": fr["pi_lower"].tolist(), "upper": fr["pi_upper"].tolist()},
    }


def main():
    out = {"statsmodels": statsmodels.__version__, "horizon": H, "level": 0.95, "series": []}
    for name, (dates, y), m in [("online_retail_weekly_revenue", online_retail_weekly(), 0),
                                ("co2_monthly_1992_2001", co2_monthly(), 12)]:
        positive = min(y) > 0
        models = [fit(y, *s, m) for s in specs(m > 0, positive)]
        out["series"].append({"name": name, "dates": dates, "y": y, "period": m, "models": models})
    with open("analytics/forecast/testdata/statsmodels.json", "w") as f:
        json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
