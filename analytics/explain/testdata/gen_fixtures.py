# Regenerate: cd analytics/explain/testdata && /usr/bin/python3 gen_fixtures.py
# (Debian's python3 with numpy; writes logistic_explain.json here.)
"""Reference numbers for analytics/explain's logistic explanations.

Reads the Telco and the class-balanced logistic fixtures (X, y and the
converged newton-cg coefficients) written by analytics/testdata/gen_fixtures.py
and computes,
with explicit numpy formulas independent of the Go code:

  H   = X1' W X1 + diag(0, 1/C, ..., 1/C)   X1 = [1 | X], W = diag(p(1-p)),
                                             intercept first, not penalised
  cov = inv(H), se = sqrt(diag(cov))
  z   = b / se, p = erfc(|z|/sqrt 2), CI = b -/+ 1.959963984540054 se
  odds ratio = exp(b) (and of the CI bounds)
  standardised coef = b * std(x_j, ddof=0)
"""
import json
import math
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
Z975 = 1.959963984540054


def table(d, balanced):
    """The coefficient table at the fixture's converged (newton-cg) optimum.

    With balanced class weights each row's weight s_i = n/(2 n_class) also
    multiplies W, as it does the objective.
    """
    X = np.array(d["X"], dtype=float)
    y = np.array(d["y"], dtype=float)
    C = float(d["C"])
    b = np.array(d["optimum"]["coef"], dtype=float)
    b0 = float(d["optimum"]["intercept"])
    n, k = X.shape
    X1 = np.column_stack([np.ones(n), X])
    beta = np.concatenate([[b0], b])
    p = 1 / (1 + np.exp(-(X1 @ beta)))
    W = p * (1 - p)
    if balanced:
        counts = np.bincount(y.astype(int))
        W = W * (n / (2 * counts))[y.astype(int)]
    H = X1.T @ (X1 * W[:, None])
    H[1:, 1:] += np.eye(k) / C
    cov = np.linalg.inv(H)
    se = np.sqrt(np.diag(cov))
    z = beta / se
    pval = np.array([math.erfc(abs(v) / math.sqrt(2)) for v in z])
    lo, hi = beta - Z975 * se, beta + Z975 * se
    return {
        "intercept": b0, "coef": b.tolist(), "C": C,
        # Index 0 is the intercept, then the features in column order.
        "se": se.tolist(), "z": z.tolist(), "p": pval.tolist(),
        "lo": lo.tolist(), "hi": hi.tolist(),
        "odds": np.exp(beta).tolist(), "odds_lo": np.exp(lo).tolist(),
        "odds_hi": np.exp(hi).tolist(),
        "std": X.std(axis=0, ddof=0).tolist(),
        "std_coef": (b * X.std(axis=0, ddof=0)).tolist(),
    }


def main():
    def load(name):
        with open(os.path.join(HERE, "..", "..", "testdata", name)) as f:
            return json.load(f)
    telco = load("logistic_telco.json")
    out = {
        "source": "analytics/testdata/logistic_telco.json and logistic_balanced.json "
                  "(optimum coef, C, class weights)",
        "columns": telco["columns"],
        "telco": table(telco, False),
        "balanced": table(load("logistic_balanced.json"), True),
        "provenance": {"script": "analytics/explain/testdata/gen_fixtures.py",
                       "numpy": np.__version__},
    }
    with open(os.path.join(HERE, "logistic_explain.json"), "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
