# Regenerate: cd analytics/prep/testdata && /usr/bin/python3 gen_select.py
# (Debian's python3 with python3-sklearn, scipy, numpy, pandas, mpmath; writes
# select.json here in about 15 s.)
"""Reference fixtures for analytics/prep/select.go (feature selection).

Scores come from scikit-learn's r_regression, f_regression (center=True,
default force_finite=True), chi2 and mutual_info_classif with
discrete_features=True, the exact (non-kNN) estimator.

MI on a continuous column is taken on quantile bins. discretize() below is
the reference for prep.Discretize; it is plain integer indexing, no float
interpolation, so both sides cut at exactly the same values:

  * a column with at most `bins` distinct values keeps one bin per value;
  * otherwise the cuts are the sorted values at positions floor(i*n/bins),
    i = 1..bins-1, without duplicates and without a cut equal to the
    minimum; a value's bin is the number of cuts <= it.

The synthetic matrix and targets are rounded to 10 significant digits and
stored, so the Go test sees exactly what scikit-learn saw. Real data is not
stored: the Go test reads the same CSVs.
  * Telco: the 11 rows with a blank TotalCharges are dropped (as in
    gen_fixtures.py), 7032 rows remain; target Churn (Yes = 1).
  * Bank Marketing (bank-additional-full.csv, ';'-separated): all 41188
    rows; binary target y (yes = 1) and the 12-class target job.
Non-finite outputs (sklearn's +-inf/NaN on constant columns) are written as
null (JSON has no NaN).

"exact" / "exact_chi2" hold r, F, p, chi2 and its p-value computed in exact
rational arithmetic on the same float64 inputs, with 50-digit mpmath for the
square root and the tail functions. sklearn's r_regression takes sums of
squares as sum(x^2) - n*mean^2, which loses up to 9 digits on Bank's
cons.price.idx (93.6 +- 0.6); the Go test uses these values as the
yardstick wherever sklearn itself is more than 1e-10 off.
"""
import json
import os
import warnings
from fractions import Fraction

import mpmath
import numpy as np
import pandas as pd
import scipy
import sklearn
from sklearn.feature_selection import chi2, f_regression, mutual_info_classif, r_regression
from sklearn.metrics import mutual_info_score

HERE = os.path.dirname(os.path.abspath(__file__))
REAL = os.path.join(HERE, "..", "..", "..", "testdata", "real")
BINS = 10  # prep.DefaultBins


def r10(a):
    """Round to 10 significant digits (and back to float64)."""
    return np.array([float(f"{v:.10g}") for v in np.ravel(a)]).reshape(np.shape(a))


def fin(a):
    return [float(v) if np.isfinite(v) else None for v in np.ravel(a)]


def discretize(col, bins):
    u, inv = np.unique(col, return_inverse=True)
    if len(u) <= bins:
        return inv
    s = np.sort(col)
    cuts = np.unique(s[(np.arange(1, bins) * len(col)) // bins])
    cuts = cuts[cuts > s[0]]
    return np.searchsorted(cuts, col, side="right")


def mi(X, y, bins):
    """mutual_info_classif on discretised columns (bins=0: raw values)."""
    D = X if bins == 0 else np.column_stack([discretize(X[:, j], bins) for j in range(X.shape[1])])
    with warnings.catch_warnings():
        # mutual_info_score warns that raw float columns look continuous;
        # with bins=0 they are meant as categories.
        warnings.simplefilter("ignore", UserWarning)
        got = mutual_info_classif(D, y, discrete_features=True)
        # Same numbers as metrics.mutual_info_score per column (natural log).
        ref = [mutual_info_score(D[:, j], y) for j in range(X.shape[1])]
    assert np.array_equal(got, ref), (got, ref)
    return got, D


mpmath.mp.dps = 50


def mpf(q):
    return mpmath.mpf(q.numerator) / q.denominator


def f_sf(F, dof):
    """P(F(1, dof) > F) = I_x(dof/2, 1/2), x = dof/(dof+F), to 50 digits."""
    a, x = mpmath.mpf(dof) / 2, dof / (dof + F)
    try:
        return float(mpmath.betainc(a, 0.5, 0, x, regularized=True))
    except ValueError:
        # mpmath gives up on values far below float64's range. Check that
        # with the bound I_x(a, 1/2) <= x^a / (a sqrt(1-x) B(a, 1/2)).
        log_bound = a * mpmath.log(x) - mpmath.log(a * mpmath.sqrt(1 - x) * mpmath.beta(a, 0.5))
        assert log_bound < mpmath.log(mpmath.mpf('1e-330')), (F, dof)
        return 0.0


def exact_regression(X, y):
    """r, F and p in exact rational arithmetic on the float64 inputs (then
    50-digit square root and incomplete beta): the reference sklearn's
    one-pass sum of squares is measured against."""
    n = len(y)
    yq = [Fraction(float(v)) for v in y]
    my = sum(yq) / n
    dy = [v - my for v in yq]
    syy = mpf(sum(d * d for d in dy))
    dof = n - 2
    r, F, p = [], [], []
    for j in range(X.shape[1]):
        xq = [Fraction(float(v)) for v in X[:, j]]
        mx = sum(xq) / n
        dx = [v - mx for v in xq]
        sxx = sum(d * d for d in dx)
        if sxx == 0:
            r.append(None), F.append(None), p.append(None)
            continue
        rj = mpf(sum(a * b for a, b in zip(dx, dy))) / mpmath.sqrt(mpf(sxx) * syy)
        Fj = rj**2 / (1 - rj**2) * dof
        r.append(float(rj)), F.append(float(Fj))
        p.append(f_sf(Fj, dof))
    return {"corr": r, "f": F, "fp": p}


def exact_chi2(X, y):
    """chi2 and its p-value in exact arithmetic (50-digit upper gamma)."""
    n = len(y)
    cls = sorted(set(y.tolist()))
    rows = [np.flatnonzero(y == c) for c in cls]
    stat, p = [], []
    for j in range(X.shape[1]):
        xq = [Fraction(float(v)) for v in X[:, j]]
        tot = sum(xq)
        if tot == 0:
            stat.append(None), p.append(None)
            continue
        st = Fraction(0)
        for r in rows:
            e = Fraction(len(r), n) * tot
            st += (sum(xq[i] for i in r) - e) ** 2 / e
        stat.append(float(st))
        p.append(float(mpmath.gammainc((len(cls) - 1) / 2, mpf(st) / 2, mpmath.inf, regularized=True)))
    return {"chi2": stat, "chi2p": p}


def regression(X, y):
    r = r_regression(X, y)
    F, p = f_regression(X, y)
    # The unforced values, to show what force_finite hid.
    r_raw = r_regression(X, y, force_finite=False)
    return {"corr": fin(r), "f": fin(F), "fp": fin(p), "corr_unforced": fin(r_raw),
            "exact": exact_regression(X, y)}


def classification(X, y, bins):
    stat, p = chi2(X, y)
    m, D = mi(X, y, bins)
    return {"chi2": fin(stat), "chi2p": fin(p), "mi": fin(m), "exact_chi2": exact_chi2(X, y),
            "bin_counts": [np.bincount(D[:, j]).tolist() for j in range(D.shape[1])]}


def synthetic():
    rng = np.random.default_rng(20261205)
    n = 200
    yc = rng.integers(0, 3, size=n)  # 3 classes
    cols = {
        "count_informative": rng.poisson(1 + 2 * yc),
        "count_noise": rng.poisson(3, size=n),
        "onehot_informative": ((yc == 2) ^ (rng.uniform(size=n) < 0.15)).astype(float),
        "constant": np.full(n, 2.5),
        "lognormal_informative": np.exp(rng.normal(size=n) + 0.5 * yc),
        "uniform_noise": rng.uniform(0, 5, size=n),
        "all_zero": np.zeros(n),
        "ties": np.round(rng.exponential(2, size=n)),  # many ties, > BINS levels
    }
    names = list(cols)
    X = r10(np.column_stack([np.asarray(cols[c], dtype=float) for c in names]))
    # Regression target: linear in two columns plus noise.
    yr = r10(3 * X[:, 0] - 2 * X[:, 5] + rng.normal(size=n) * 2)
    const = [j for j in range(X.shape[1]) if np.all(X[:, j] == X[0, j])]
    m_raw, _ = mi(X, yc, 0)
    out = {"names": names, "X": X.tolist(), "y": yc.tolist(), "yr": yr.tolist(),
           "constant": const, "bins": BINS,
           "discretized": [discretize(X[:, j], BINS).tolist() for j in range(X.shape[1])],
           "mi_raw": fin(m_raw),
           **regression(X, yr), **classification(X, yc, BINS)}
    return out


def telco():
    df = pd.read_csv(os.path.join(REAL, "WA_Fn-UseC_-Telco-Customer-Churn.csv"))
    df = df[df["TotalCharges"].str.strip() != ""]
    names = ["tenure", "MonthlyCharges", "TotalCharges", "SeniorCitizen"]
    X = df[names].astype(float).to_numpy()
    y = (df["Churn"] == "Yes").astype(int).to_numpy()
    return {"names": names, "rows": len(X), "bins": BINS,
            **regression(X, y.astype(float)), **classification(X, y, BINS)}


def bank():
    df = pd.read_csv(os.path.join(REAL, "bank-additional-full.csv"), sep=";")
    names = ["age", "duration", "campaign", "pdays", "previous", "emp.var.rate",
             "cons.price.idx", "cons.conf.idx", "euribor3m", "nr.employed"]
    X = df[names].astype(float).to_numpy()
    y = (df["y"] == "yes").astype(int).to_numpy()
    nonneg = [j for j in range(len(names)) if X[:, j].min() >= 0]
    job = df["job"].to_numpy()
    Xn = X[:, nonneg]
    out = {"names": names, "rows": len(X), "bins": BINS, "nonneg": nonneg,
           **regression(X, y.astype(float))}
    c = classification(Xn, y, BINS)
    out["chi2"], out["chi2p"], out["exact_chi2"] = c["chi2"], c["chi2p"], c["exact_chi2"]
    m, D = mi(X, y, BINS)
    out["mi"] = fin(m)
    out["bin_counts"] = [np.bincount(D[:, j]).tolist() for j in range(D.shape[1])]
    cj = classification(Xn, job, BINS)
    out["job"] = {"classes": sorted(set(job.tolist())), "chi2": cj["chi2"],
                  "chi2p": cj["chi2p"], "exact_chi2": cj["exact_chi2"],
                  "mi": fin(mi(X, job, BINS)[0])}
    return out


def main():
    out = {
        "synthetic": synthetic(),
        "telco": telco(),
        "bank": bank(),
        "provenance": {"script": "analytics/prep/testdata/gen_select.py",
                       "sklearn": sklearn.__version__, "scipy": scipy.__version__,
                       "mpmath": mpmath.__version__,
                       "numpy": np.__version__, "pandas": pd.__version__},
    }
    with open(os.path.join(HERE, "select.json"), "w") as f:
        json.dump(out, f, separators=(",", ":"), allow_nan=False)
        f.write("\n")


if __name__ == "__main__":
    main()
