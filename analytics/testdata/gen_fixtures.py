# Regenerate: cd analytics/testdata && /usr/bin/python3 gen_fixtures.py
# (Debian's python3 with python3-sklearn, numpy, pandas; writes *.json here.)
"""Reference fixtures for analytics/linear and analytics/logistic.

The L1 fixtures use sklearn's saga solver, which (unlike liblinear) leaves
the intercept unpenalised, like logistic.Fit; saga converges to a tight tol
on standardised columns, and the script prints and stores how far its
answer is from the optimum (max_kkt, the largest violation of the L1
optimality conditions).

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


def l1_kkt(X, y, w, b, C, sw):
    """Largest violation of the optimality conditions of
    C*sum(sw*logloss) + ||w||_1 (intercept unpenalised): |C*grad_j + sign(w_j)|
    for w_j != 0, max(|C*grad_j| - 1, 0) for w_j == 0, |C*grad_b|."""
    z = X @ w + b
    r = sw * (1 / (1 + np.exp(-z)) - y)
    g = C * (X.T @ r)
    v = np.where(w != 0, np.abs(g + np.sign(w)), np.maximum(np.abs(g) - 1, 0))
    return float(max(v.max(), abs(C * r.sum())))


def l1_fit(name, X, y, C, class_weight, extra):
    m = LogisticRegression(penalty="l1", C=C, solver="saga", class_weight=class_weight,
                           tol=1e-12, max_iter=100000).fit(X, y)
    w, b = m.coef_[0], m.intercept_[0]
    sw = np.ones(len(y))
    if class_weight == "balanced":
        counts = np.bincount(y.astype(int))
        sw = (len(y) / (2 * counts))[y.astype(int)]
    kkt = l1_kkt(X, y, w, b, C, sw)
    print(name, "saga n_iter", m.n_iter_[0], "zeros", int((w == 0).sum()), "of", len(w), "max_kkt", kkt)
    obj = dict(extra)
    obj.update({
        "X": [[float(v) for v in row] for row in X], "y": y.tolist(),
        "C": C, "penalty": "l1", "solver": "saga", "class_weight": class_weight,
        "tol": 1e-12, "max_iter": 100000, "n_iter": int(m.n_iter_[0]), "max_kkt": kkt,
        "coef": w.tolist(), "intercept": float(b),
        "proba_first50": m.predict_proba(X[:50])[:, 1].tolist(),
    })
    write(name, obj)


def l1_telco_fixture():
    df = pd.read_csv(TELCO)
    cols = {
        "tenure": df["tenure"].astype(float),
        "MonthlyCharges": df["MonthlyCharges"].astype(float),
        "SeniorCitizen": df["SeniorCitizen"].astype(float),
        "gender_Male": (df["gender"] == "Male").astype(float),
        "Partner_Yes": (df["Partner"] == "Yes").astype(float),
        "Dependents_Yes": (df["Dependents"] == "Yes").astype(float),
        "PhoneService_Yes": (df["PhoneService"] == "Yes").astype(float),
        "Contract_One year": (df["Contract"] == "One year").astype(float),
        "Contract_Two year": (df["Contract"] == "Two year").astype(float),
        "PaperlessBilling_Yes": (df["PaperlessBilling"] == "Yes").astype(float),
        "InternetService_Fiber optic": (df["InternetService"] == "Fiber optic").astype(float),
        "OnlineSecurity_Yes": (df["OnlineSecurity"] == "Yes").astype(float),
        "TechSupport_Yes": (df["TechSupport"] == "Yes").astype(float),
        "StreamingTV_Yes": (df["StreamingTV"] == "Yes").astype(float),
        "StreamingMovies_Yes": (df["StreamingMovies"] == "Yes").astype(float),
        "PaymentMethod_Electronic check": (df["PaymentMethod"] == "Electronic check").astype(float),
        "PaymentMethod_Mailed check": (df["PaymentMethod"] == "Mailed check").astype(float),
    }
    X = np.column_stack(list(cols.values()))
    # Every column standardised (ddof=0), so saga converges.
    X = r10((X - X.mean(axis=0)) / X.std(axis=0))
    y = (df["Churn"] == "Yes").astype(float).to_numpy()
    l1_fit("logistic_l1_telco.json", X, y, 0.005, None, {
        "source": "IBM Telco customer churn (testdata/real/WA_Fn-UseC_-Telco-Customer-Churn.csv); "
                  "target Churn=Yes; every column standardised (ddof=0)",
        "columns": list(cols.keys()),
    })


def l1_balanced_fixture():
    rng = np.random.default_rng(11)
    n, k = 800, 10
    X = rng.normal(size=(n, k))
    X[:, 1] += 0.5 * X[:, 0]
    X[:, 7] += 0.4 * X[:, 2]
    X = r10((X - X.mean(axis=0)) / X.std(axis=0))
    # Five irrelevant features (3, 4, 6, 7, 8), one weak one (9); ~22% positives.
    z = -1.8 + X @ np.array([1.2, -0.8, 0.6, 0, 0, 0.3, 0, 0, 0, -0.15])
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-z))).astype(float)
    l1_fit("logistic_l1_balanced.json", X, y, 0.05, "balanced", {
        "source": "synthetic, numpy default_rng(11); columns standardised (ddof=0)",
    })


if __name__ == "__main__":
    linear_fixture()
    telco_fixture()
    balanced_fixture()
    l1_telco_fixture()
    l1_balanced_fixture()
