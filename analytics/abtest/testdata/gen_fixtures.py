#!/usr/bin/python3
"""Write the reference fixtures for package abtest.

Run with Debian's python3 (python3-scipy, python3-numpy, python3-pandas,
python3-statsmodels, python3-mpmath):
    /usr/bin/python3 analytics/abtest/testdata/gen_fixtures.py
It writes, beside itself:

  synthetic.json  made-up experiments (fixed seed) and every statistic the
                  Go package reports, from scipy / statsmodels / mpmath;
  hillstrom.json  the per-segment counts of the Hillstrom e-mail data
                  (the Go test's input) and the same statistics computed
                  from the 64,000 raw rows with pandas / scipy.

The Hillstrom CSV is read from $HILLSTROM_CSV, default
/work/shared/datasets/hillstrom/...; its SHA-256 is checked first.

Which reference is used for what:
  Wilson / Wald interval         statsmodels proportion_confint(method=wilson|normal)
  difference CI (unpooled)       statsmodels confint_proportions_2indep(compare=diff, method=wald)
  relative lift CI               statsmodels confint_proportions_2indep(compare=ratio, method=log) - 1
  z-test                         statsmodels proportions_ztest (pooled, two-sided)
  chi-square 2x2 and k x 2       scipy.stats.chi2_contingency(correction=False / True)
  sample ratio mismatch          scipy.stats.chisquare(observed, expected)
  Welch                          scipy.stats.ttest_ind(equal_var=False) on the raw values;
                                 its CI from scipy.stats.t.ppf with the Welch df
  per-group revenue CI           scipy.stats.t.interval(conf, n-1, mean, sem) on the raw values
  P(variant > control), loss     mpmath, 50 digits, exact finite sum (Evan Miller's formula),
                                 cross-checked here against mpmath.quad (small cases) and
                                 scipy.integrate.quad (all cases)
  Holm / Bonferroni              statsmodels multipletests
  sample size / power            Fleiss formula (no continuity correction) from scipy norm.ppf;
                                 statsmodels NormalIndPower with proportion_effectsize (Cohen's h)
"""
import hashlib
import json
import math
import os

import mpmath as mp
import numpy as np
import pandas as pd
import scipy
import statsmodels
from scipy import integrate, optimize, special, stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import (confint_proportions_2indep,
                                          proportion_confint,
                                          proportion_effectsize,
                                          proportions_ztest)

HERE = os.path.dirname(os.path.abspath(__file__))
HILLSTROM = os.environ.get(
    "HILLSTROM_CSV",
    "/work/shared/datasets/hillstrom/"
    "Kevin_Hillstrom_MineThatData_E-MailAnalytics_DataMiningChallenge_2008.03.20.csv")
HILLSTROM_SHA256 = "0e5893329d8b93cefecc571777672028290ab69865718020c78c7284f291aece"

mp.mp.dps = 50


def fnum(x):
    """A float for JSON; NaN and infinities become strings the Go test reads."""
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "+Inf" if x > 0 else "-Inf"
    return x


def write(name, obj):
    obj["provenance"] = {
        "script": "analytics/abtest/testdata/gen_fixtures.py",
        "scipy": scipy.__version__, "numpy": np.__version__, "pandas": pd.__version__,
        "statsmodels": statsmodels.__version__, "mpmath": mp.__version__,
    }
    with open(os.path.join(HERE, name), "w") as f:
        json.dump(obj, f, indent=1)
        f.write("\n")


# ---------------------------------------------------------------- Bayes

def prob_b_beats_a(aA, bA, aB, bB):
    """P(pB > pA) for pA~Beta(aA,bA), pB~Beta(aB,bB), integer aB: exact sum."""
    lbA = mp.log(mp.beta(aA, bA))
    s = mp.mpf(0)
    for i in range(int(aB)):
        s += mp.exp(mp.log(mp.beta(aA + i, bA + bB)) - mp.log(bB + i)
                    - mp.log(mp.beta(1 + i, bB)) - lbA)
    return s


def mp_quad_prob(aA, bA, aB, bB):
    """The same by mpmath quadrature of f_B(x) * I_x(aA, bA) (slow: small cases)."""
    m = mp.mpf(aB) / (aB + bB)
    sd = mp.sqrt(m * (1 - m) / (aB + bB + 1))
    pts = sorted(set([mp.mpf(0), mp.mpf(1)] + [m + k * sd for k in range(-30, 31, 3) if 0 < m + k * sd < 1]))
    lb = mp.log(mp.beta(aB, bB))
    return mp.quad(lambda x: mp.exp((aB - 1) * mp.log(x) + (bB - 1) * mp.log1p(-x) - lb)
                   * mp.betainc(aA, bA, 0, x, regularized=True), pts)


def _pts(a, b):
    m = a / (a + b)
    sd = math.sqrt(m * (1 - m) / (a + b + 1))
    return sorted(set([0.0, 1.0] + [m + k * sd for k in range(-40, 41, 2) if 0 < m + k * sd < 1]))


def sp_quad_prob(aA, bA, aB, bB):
    """Float64 quadrature with scipy: an independent numerical check."""
    pts = _pts(aB, bB)
    f = lambda x: stats.beta.pdf(x, aB, bB) * special.betainc(aA, bA, x)
    return sum(integrate.quad(f, lo, hi, epsabs=1e-15, epsrel=1e-13, limit=200)[0]
               for lo, hi in zip(pts, pts[1:]))


def sp_quad_loss(aA, bA, aB, bB):
    """E[max(pA - pB, 0)] = int f_B(y) E[(pA - y)+] dy, by scipy quadrature
    (1 - I_y(a, b) written as I_{1-y}(b, a): scipy 1.10 has no betaincc)."""
    mA = aA / (aA + bA)
    pts = _pts(aB, bB)
    f = lambda y: stats.beta.pdf(y, aB, bB) * (
        mA * special.betainc(bA, aA + 1, 1 - y) - y * special.betainc(bA, aA, 1 - y))
    return sum(integrate.quad(f, lo, hi, epsabs=1e-16, epsrel=1e-13, limit=200)[0]
               for lo, hi in zip(pts, pts[1:]))


def bayes(c_conv, c_n, v_conv, v_n, quad_mp=False):
    aA, bA = 1 + c_conv, 1 + c_n - c_conv
    aB, bB = 1 + v_conv, 1 + v_n - v_conv
    p = prob_b_beats_a(aA, bA, aB, bB)
    p_rev = prob_b_beats_a(aB, bB, aA, bA)  # P(pA > pB), its own sum: exact in the tails too
    assert abs(p + p_rev - 1) < mp.mpf(10) ** -40
    mA, mB = mp.mpf(aA) / (aA + bA), mp.mpf(aB) / (aB + bB)
    # E[max(pA - pB, 0)] = mA P(A' > B) - mB P(A > B'), A'~Beta(aA+1,bA), B'~Beta(aB+1,bB);
    # every probability is its own positive sum (never 1 - P), so a tiny loss keeps its digits.
    loss_v = mA * prob_b_beats_a(aB, bB, aA + 1, bA) - mB * prob_b_beats_a(aB + 1, bB, aA, bA)
    loss_c = mB * prob_b_beats_a(aA, bA, aB + 1, bB) - mA * prob_b_beats_a(aA + 1, bA, aB, bB)
    assert abs(loss_c - loss_v - (mB - mA)) < mp.mpf(10) ** -40
    q = sp_quad_prob(aA, bA, aB, bB)
    assert abs(q - float(p)) < 1e-10, (q, p)
    ql = sp_quad_loss(aA, bA, aB, bB)
    assert abs(ql - float(loss_v)) < 1e-12 + 1e-9 * abs(ql), (ql, loss_v)
    ql = sp_quad_loss(aB, bB, aA, bA)
    assert abs(ql - float(loss_c)) < 1e-12 + 1e-9 * abs(ql), (ql, loss_c)
    if quad_mp:
        qm = mp_quad_prob(aA, bA, aB, bB)
        assert abs(qm - p) < mp.mpf(10) ** -25, (qm, p)
    return float(p), float(p_rev), float(loss_v), float(loss_c)


# ---------------------------------------------------------------- experiments

def interval(lo, hi):
    return [fnum(lo), fnum(hi)]


def analyse(name, groups, conf=0.95, split=None, quad_mp=False):
    """groups: list of dicts name, n, conversions, revenue (raw array or None); first is control."""
    alpha = 1 - conf
    out_groups, comps = [], []
    for g in groups:
        n, c = g["n"], g["conversions"]
        gi = {"name": g["name"], "n": n, "conversions": c, "rate": c / n,
              "wilson": interval(*proportion_confint(c, n, alpha=alpha, method="wilson")),
              "wald": interval(*proportion_confint(c, n, alpha=alpha, method="normal"))}
        r = g.get("revenue")
        if r is not None:
            r = np.asarray(r, dtype=float)
            mean, sd = float(np.mean(r)), float(np.std(r, ddof=1))
            gi["revenue"] = {"n": len(r), "mean": mean, "sd": sd}
            sem = sd / math.sqrt(len(r))
            gi["revenue_ci"] = interval(*stats.t.interval(conf, len(r) - 1, loc=mean, scale=sem))
        out_groups.append(gi)
    ctl = groups[0]
    for g in groups[1:]:
        n1, c1, n0, c0 = g["n"], g["conversions"], ctl["n"], ctl["conversions"]
        p1, p0 = c1 / n1, c0 / n0
        k = {"name": g["name"], "abs_lift": p1 - p0,
             "rel_lift": fnum(p1 / p0 - 1) if p0 > 0 else ("+Inf" if p1 > 0 else "NaN")}
        k["abs_ci"] = interval(*confint_proportions_2indep(c1, n1, c0, n0, compare="diff", method="wald", alpha=alpha))
        if c1 > 0 and c0 > 0:
            lo, hi = confint_proportions_2indep(c1, n1, c0, n0, compare="ratio", method="log", alpha=alpha)
            k["rel_ci"] = interval(lo - 1, hi - 1)
        else:
            k["rel_ci"] = ["NaN", "NaN"]
        z, pz = proportions_ztest([c1, c0], [n1, n0])
        k["z"], k["p_z"] = fnum(z), fnum(pz)
        table = np.array([[c1, n1 - c1], [c0, n0 - c0]])
        for key, corr in (("chi2", False), ("chi2_yates", True)):
            try:
                res = stats.chi2_contingency(table, correction=corr)
                k[key], k["p_" + key] = fnum(res[0]), fnum(res[1])
            except ValueError:  # a zero expected count
                k[key], k["p_" + key] = "NaN", "NaN"
        k["prob_beat"], k["prob_control_beats"], k["loss_variant"], k["loss_control"] = bayes(c0, n0, c1, n1, quad_mp)
        if g.get("revenue") is not None:
            a, b = np.asarray(g["revenue"], float), np.asarray(ctl["revenue"], float)
            t = stats.ttest_ind(a, b, equal_var=False)
            va, vb = np.var(a, ddof=1) / len(a), np.var(b, ddof=1) / len(b)
            df = (va + vb) ** 2 / (va ** 2 / (len(a) - 1) + vb ** 2 / (len(b) - 1))
            d = np.mean(a) - np.mean(b)
            h = stats.t.ppf(1 - alpha / 2, df) * math.sqrt(va + vb)
            k.update({"welch_t": fnum(t.statistic), "welch_p": fnum(t.pvalue), "welch_df": fnum(df),
                      "mean_diff": fnum(d), "mean_diff_ci": interval(d - h, d + h),
                      "rel_mean_lift": fnum(np.mean(a) / np.mean(b) - 1)})
        comps.append(k)
    res = {"name": name, "confidence": conf, "groups": out_groups, "comparisons": comps}
    pz = [k["p_z"] for k in comps]
    res["holm"] = [fnum(v) for v in multipletests(pz, method="holm")[1]]
    res["bonferroni"] = [fnum(v) for v in multipletests(pz, method="bonferroni")[1]]
    if "welch_p" in comps[0]:
        res["holm_welch"] = [fnum(v) for v in multipletests([k["welch_p"] for k in comps], method="holm")[1]]
    table = np.array([[g["conversions"], g["n"] - g["conversions"]] for g in groups])
    for key, corr in (("overall", False), ("overall_yates", True)):
        try:
            c2, p, dof, _ = stats.chi2_contingency(table, correction=corr)
            res[key] = {"chi2": fnum(c2), "df": int(dof), "p": fnum(p)}
        except ValueError:
            res[key] = {"chi2": "NaN", "df": len(groups) - 1, "p": "NaN"}
    if split is not None:
        obs = np.array([g["n"] for g in groups], dtype=float)
        exp = obs.sum() * np.array(split) / 100
        c2, p = stats.chisquare(obs, exp)
        res["split"] = split
        res["srm"] = {"chi2": fnum(c2), "p": fnum(p), "mismatch": bool(p < 0.001)}
    return res


def revenue(rng, n, conv, mean_order):
    """n per-customer amounts: zero for non-buyers, lognormal cents for buyers."""
    r = np.zeros(n)
    r[:conv] = np.round(rng.lognormal(math.log(mean_order), 0.8, size=conv), 2)
    rng.shuffle(r)
    return r


def synthetic():
    rng = np.random.default_rng(20260301)
    exps = []
    g = lambda name, n, c, rev=None: {"name": name, "n": n, "conversions": c, "revenue": rev}
    exps.append(analyse("small two-arm", [g("control", 200, 12, revenue(rng, 200, 12, 40)),
                                          g("B", 210, 20, revenue(rng, 210, 20, 45))],
                        split=[50, 50], quad_mp=True))
    exps.append(analyse("three variants", [
        g("holdout", 10000, 500, revenue(rng, 10000, 500, 60)),
        g("A", 10000, 540, revenue(rng, 10000, 540, 60)),
        g("B", 9950, 610, revenue(rng, 9950, 610, 65)),
        g("C", 10020, 480, revenue(rng, 10020, 480, 58))], split=[25, 25, 25, 25]))
    exps.append(analyse("tiny counts, 90 percent", [g("control", 15, 1), g("B", 12, 4)],
                        conf=0.90, quad_mp=True))
    exps.append(analyse("control never converts", [g("control", 50, 0), g("B", 50, 3)], quad_mp=True))
    exps.append(analyse("everyone converts in B", [g("control", 20, 15), g("B", 20, 20)], quad_mp=True))
    exps.append(analyse("negative lift, uneven split", [
        g("control", 4000, 320, revenue(rng, 4000, 320, 30)),
        g("B", 12000, 870, revenue(rng, 12000, 870, 31))], split=[25, 75]))
    exps.append(analyse("broken split", [g("control", 10300, 412), g("B", 9700, 420)], split=[50, 50]))
    exps.append(analyse("large", [g("control", 1000000, 23000), g("B", 1000000, 23500)], split=[50, 50]))

    # Planning: sample size per group and power.
    plans = []
    for base, eff, rel, alpha, power in [
            (0.10, 0.02, False, 0.05, 0.80), (0.05, 0.10, True, 0.05, 0.80),
            (0.50, 0.25, False, 0.05, 0.90), (0.02, -0.005, False, 0.01, 0.90),
            (0.30, -0.10, True, 0.10, 0.95), (0.0057, 0.5, True, 0.05, 0.80)]:
        p1 = base
        p2 = base * (1 + eff) if rel else base + eff
        za, zb = stats.norm.ppf(1 - alpha / 2), stats.norm.ppf(power)
        pbar = (p1 + p2) / 2
        d = abs(p2 - p1)
        fleiss = (za * math.sqrt(2 * pbar * (1 - pbar)) + zb * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))) ** 2 / d ** 2
        h = proportion_effectsize(p2, p1)
        nip = NormalIndPower()
        f = lambda n: nip.power(effect_size=h, nobs1=n, alpha=alpha, ratio=1, alternative="two-sided") - power
        arcsine = optimize.brentq(f, 1, 1e9, xtol=1e-13, rtol=1e-15)
        sm = nip.solve_power(effect_size=h, alpha=alpha, power=power, ratio=1, alternative="two-sided")
        at = 1000
        fleiss_power_at = stats.norm.cdf((math.sqrt(at) * d - za * math.sqrt(2 * pbar * (1 - pbar)))
                                         / math.sqrt(p1 * (1 - p1) + p2 * (1 - p2)))
        plans.append({"baseline": base, "effect": eff, "relative": rel, "alpha": alpha, "power": power,
                      "target": p2, "cohen_h": fnum(h),
                      "fleiss_n": fleiss, "arcsine_n": arcsine, "statsmodels_solve_power": float(sm),
                      "power_at_n": at, "fleiss_power_at": fleiss_power_at,
                      "arcsine_power_at": float(nip.power(effect_size=h, nobs1=at, alpha=alpha, ratio=1))})

    # Extra Bayes cases beyond the experiments above.
    extra = []
    for c0, n0, c1, n1 in [(0, 10, 0, 10), (5, 5, 0, 5), (3, 1000, 9, 1000),
                           (400, 20000, 520, 20000), (2500, 5000, 2400, 5000)]:
        p, pr, lv, lc = bayes(c0, n0, c1, n1, quad_mp=n0 + n1 <= 2000)
        extra.append({"control": [c0, n0], "variant": [c1, n1], "prob_beat": p, "prob_control_beats": pr,
                      "loss_variant": lv, "loss_control": lc})

    vals = revenue(rng, 37, 9, 25)
    write("synthetic.json", {"experiments": exps, "planning": plans, "bayes": extra,
                             "revenue_values": {"values": vals.tolist(), "mean": float(np.mean(vals)),
                                                "sd": float(np.std(vals, ddof=1))}})


def hillstrom():
    with open(HILLSTROM, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    assert digest == HILLSTROM_SHA256, digest
    d = pd.read_csv(HILLSTROM)
    order = ["No E-Mail", "Mens E-Mail", "Womens E-Mail"]  # control first
    summary = []
    for seg in order:
        s = d[d.segment == seg]
        summary.append({"segment": seg, "customers": int(len(s)), "visits": int(s.visit.sum()),
                        "conversions": int(s.conversion.sum()),
                        "spend_cents": int(round((s.spend * 100).round().sum())),
                        "spend_mean": float(s.spend.mean()), "spend_sd": float(s.spend.std(ddof=1))})
    out = {"source": os.path.basename(HILLSTROM), "sha256": digest, "rows": int(len(d)),
           "summary": summary, "analyses": {}}
    split = [100 / 3] * 3
    for metric in ("visit", "conversion"):
        groups = [{"name": seg, "n": int((d.segment == seg).sum()),
                   "conversions": int(d.loc[d.segment == seg, metric].sum()),
                   "revenue": d.loc[d.segment == seg, "spend"].to_numpy()} for seg in order]
        out["analyses"][metric] = analyse("Hillstrom " + metric, groups, split=split)
    write("hillstrom.json", out)


if __name__ == "__main__":
    synthetic()
    hillstrom()
