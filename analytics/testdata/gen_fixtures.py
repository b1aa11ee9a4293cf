# Regenerate: cd analytics/testdata && /usr/bin/python3 gen_fixtures.py
# (Debian's python3 with python3-sklearn, numpy, pandas; writes *.json here.)
"""Reference fixtures for analytics/linear and analytics/logistic.

Every matrix is rounded to 10 significant digits BEFORE fitting, so the
stored X is exactly the matrix scikit-learn saw and the Go tests can compare
coefficients tightly without redoing any preprocessing.
"""
import json
import os

import numpy as np
import pandas as pd
import sklearn
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge

HERE = os.path.dirname(os.path.abspath(__file__))
TELCO = os.path.join(HERE, "..", "..", "testdata", "real",
                     "WA_Fn-UseC_-Telco-Customer-Churn.csv")


def r10(a):
    """Round to 10 significant digits (and back to float64)."""
    return np.array([float(f"{v:.10g}") for v in np.ravel(a)]).reshape(np.shape(a))


def write(name, obj):
    obj["provenance"] = {
        "script": "analytics/testdata/gen_fixtures.py",
        "sklearn": sklearn.__version__,
        "numpy": np.__version__,
        "pandas": pd.__version__,
    }
    with open(os.path.join(HERE, name), "w") as f:
        json.dump(obj, f, separators=(",", ":"))
        f.write("\n")


def optimum(X, y, C, class_weight):
    """The same objective solved to max|grad| ~1e-10 with sklearn's newton-cg.

    sklearn's lbfgs passes tol only as scipy's gtol; scipy's default ftol
    (2.2e-9 relative decrease) usually stops it first, e.g. at max|grad|~1e-2
    on Telco, ~1e-4 relative from the optimum. Tests check tightly against
    this converged solution and loosely against the lbfgs one.
    """
    m = LogisticRegression(penalty="l2", C=C, solver="newton-cg", class_weight=class_weight,
                           tol=1e-9, max_iter=1000).fit(X, y)
    return {"coef": m.coef_[0].tolist(), "intercept": float(m.intercept_[0]),
            "proba_first50": m.predict_proba(X[:50])[:, 1].tolist()}


def logistic_grad(X, y, w, b, C, sw):
    """Gradient of sum(sw*logloss) + ||w||^2/(2C); checks sklearn converged."""
    z = X @ w + b
    r = sw * (1 / (1 + np.exp(-z)) - y)
    return np.concatenate([X.T @ r + w / C, [r.sum()]])


def linear_fixture():
    rng = np.random.default_rng(20261128)
    n, k = 500, 5
    # Moderately correlated features: a shared factor plus noise.
    base = rng.normal(size=(n, 1))
    X = r10(0.6 * base + rng.normal(size=(n, k)) * np.array([1, 2, 0.5, 1, 3]) + np.array([0, 5, -2, 1, 10]))
    beta = np.array([1.5, -2.0, 0.0, 3.0, 0.25])
    y = r10(4.0 + X @ beta + rng.normal(scale=0.8, size=n))
    ols = LinearRegression().fit(X, y)
    ridge = Ridge(alpha=1.0).fit(X, y)
    write("linear.json", {
        "X": X.tolist(), "y": y.tolist(),
        "ols": {"coef": ols.coef_.tolist(), "intercept": float(ols.intercept_),
                "pred": ols.predict(X[:20]).tolist()},
        "ridge": {"alpha": 1.0, "coef": ridge.coef_.tolist(),
                  "intercept": float(ridge.intercept_),
                  "pred": ridge.predict(X[:20]).tolist()},
    })


def telco_fixture():
    df = pd.read_csv(TELCO)
    num = df[["tenure", "MonthlyCharges"]].astype(float)
    # Population std (ddof=0), like sklearn's StandardScaler.
    num = (num - num.mean()) / num.std(ddof=0)
    cols = {
        "tenure_z": num["tenure"],
        "MonthlyCharges_z": num["MonthlyCharges"],
        "SeniorCitizen": df["SeniorCitizen"].astype(float),
        "Contract_One year": (df["Contract"] == "One year").astype(float),
        "Contract_Two year": (df["Contract"] == "Two year").astype(float),
        "PaperlessBilling_Yes": (df["PaperlessBilling"] == "Yes").astype(float),
        "InternetService_Fiber optic": (df["InternetService"] == "Fiber optic").astype(float),
        "PaymentMethod_Electronic check": (df["PaymentMethod"] == "Electronic check").astype(float),
    }
    X = r10(np.column_stack(list(cols.values())))
    y = (df["Churn"] == "Yes").astype(float).to_numpy()
    C = 1.0
    m = LogisticRegression(penalty="l2", C=C, solver="lbfgs", fit_intercept=True,
                           tol=1e-8, max_iter=10000).fit(X, y)
    g = logistic_grad(X, y, m.coef_[0], m.intercept_[0], C, np.ones(len(y)))
    print("telco: n_iter", m.n_iter_[0], "max|grad|", np.abs(g).max())
    write("logistic_telco.json", {
        "source": "IBM Telco customer churn (testdata/real/WA_Fn-UseC_-Telco-Customer-Churn.csv); "
                  "target Churn=Yes; tenure and MonthlyCharges standardised (ddof=0)",
        "columns": list(cols.keys()),
        "X": [[float(v) for v in row] for row in X], "y": y.tolist(),
        "C": C, "tol": 1e-8, "max_iter": 10000,
        "coef": m.coef_[0].tolist(), "intercept": float(m.intercept_[0]),
        "n_iter": int(m.n_iter_[0]), "max_abs_grad": float(np.abs(g).max()),
        "proba_first50": m.predict_proba(X[:50])[:, 1].tolist(),
        "optimum": optimum(X, y, C, None),
    })


def balanced_fixture():
    rng = np.random.default_rng(7)
    n, k = 400, 4
    X = r10(rng.normal(size=(n, k)) @ np.array([[1, 0.3, 0, 0], [0, 1, 0.4, 0], [0, 0, 1, 0.2], [0, 0, 0, 1.0]]))
    # Imbalanced: roughly 15% positives.
    z = -2.2 + X @ np.array([1.0, -0.7, 0.5, 0.0])
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-z))).astype(float)
    C = 0.5
    m = LogisticRegression(penalty="l2", C=C, solver="lbfgs", class_weight="balanced",
                           tol=1e-8, max_iter=10000).fit(X, y)
    counts = np.bincount(y.astype(int))
    sw = (n / (2 * counts))[y.astype(int)]
    g = logistic_grad(X, y, m.coef_[0], m.intercept_[0], C, sw)
    print("balanced: positives", int(counts[1]), "n_iter", m.n_iter_[0], "max|grad|", np.abs(g).max())
    write("logistic_balanced.json", {
        "source": "synthetic, numpy default_rng(7)",
        "X": X.tolist(), "y": y.tolist(), "C": C, "class_weight": "balanced",
        "tol": 1e-8, "max_iter": 10000,
        "coef": m.coef_[0].tolist(), "intercept": float(m.intercept_[0]),
        "n_iter": int(m.n_iter_[0]), "max_abs_grad": float(np.abs(g).max()),
        "proba_first50": m.predict_proba(X[:50])[:, 1].tolist(),
        "optimum": optimum(X, y, C, "balanced"),
    })


if __name__ == "__main__":
    linear_fixture()
    telco_fixture()
    balanced_fixture()
