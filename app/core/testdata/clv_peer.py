# The peer of BenchmarkCLV500k: BG/NBD and Gamma-Gamma fitted and scored
# with numpy and scipy the way the Python package lifetimes does it
# (vectorised log-likelihoods, scipy.optimize.minimize with Nelder-Mead
# from all-ones parameters, scipy.special.hyp2f1 for the conditional
# expectation), on the same customer summaries. Prints one JSON object.
import json
import sys
import time

try:
    import numpy as np
    from scipy.optimize import minimize
    from scipy.special import gammaln, hyp2f1
except ImportError as e:
    print(json.dumps({"error": str(e)}))
    sys.exit(3)

mode, path, horizon, steps = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
d = np.loadtxt(path, delimiter=",", skiprows=1)
x, tx, T, m = d[:, 0], d[:, 1], d[:, 2], d[:, 3]
n = len(x)

start = time.perf_counter()


def bg_nll(lp):
    r, al, a, b = np.exp(lp)
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(al)
    a2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
    a3 = -(r + x) * np.log(al + T)
    with np.errstate(divide="ignore", invalid="ignore"):
        a4 = np.where(x > 0, np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) - (r + x) * np.log(al + tx), -np.inf)
    return -(a1 + a2 + np.logaddexp(a3, a4)).sum() / n


bg = minimize(bg_nll, np.zeros(4), method="Nelder-Mead", options={"maxiter": 2000, "xatol": 1e-7, "fatol": 1e-10})
r, al, a, b = np.exp(bg.x)
rep = x > 0
xr, mr = x[rep], m[rep]


def gg_nll(lp):
    p, q, v = np.exp(lp)
    ll = gammaln(p * xr + q) - gammaln(p * xr) - gammaln(q) + q * np.log(v) + (p * xr - 1) * np.log(mr) + p * xr * np.log(xr) - (p * xr + q) * np.log(xr * mr + v)
    return -ll.sum() / len(xr)


gg = minimize(gg_nll, np.zeros(3), method="Nelder-Mead", options={"maxiter": 2000, "xatol": 1e-7, "fatol": 1e-10})
p, q, v = np.exp(gg.x)
gg_loglik = -gg.fun * len(xr)
fit_s = time.perf_counter() - start

start = time.perf_counter()
with np.errstate(divide="ignore", invalid="ignore"):
    odds = np.where(x > 0, a / (b + x - 1) * ((al + T) / (al + tx)) ** (r + x), 0.0)
p_alive = 1 / (1 + odds)


def cond(t):
    z = t / (al + T + t)
    num = (a + b + x - 1) / (a - 1) * (1 - ((al + T) / (al + T + t)) ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1, z))
    return num / (1 + odds)


spend = np.where(x > 0, (v + x * m) * p / (p * x + q - 1), p * v / (q - 1))
value = np.zeros(n)
prev = np.zeros(n)
for i in range(1, steps + 1):
    cum = cond(horizon * i / steps)
    value += (cum - prev) * spend
    prev = cum
score_s = time.perf_counter() - start
print(json.dumps({"fit_seconds": fit_s, "score_seconds": score_s, "r": r, "alpha": al, "a": a, "b": b, "p": p, "q": q, "gamma": v,
                  "loglik": -bg.fun * n, "gg_loglik": gg_loglik, "mean_value": float(value.mean()), "mean_p_alive": float(p_alive.mean())}))
