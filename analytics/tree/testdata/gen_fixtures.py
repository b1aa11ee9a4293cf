# Regenerate: cd analytics/tree/testdata && /usr/bin/python3 gen_fixtures.py
# (Debian's python3 with python3-sklearn, numpy, pandas; writes *.json here.)
"""Reference fixtures for analytics/tree.

sklearn casts X to float32 before fitting, so every X here is rounded to
float32 first: the cast is then a no-op and the Go code, which works in
float64, sees exactly the values sklearn split on.

sklearn permutes the features at every node (random_state) even with
max_features=None, so equal-gain splits on different features would make
its tree depend on the seed. The data is chosen so that does not happen;
check_no_ties() verifies it by refitting with other seeds.
"""
import json
import os

import numpy as np
import pandas as pd
import sklearn
from sklearn.tree import DecisionTreeClassifier

HERE = os.path.dirname(os.path.abspath(__file__))
TELCO = os.path.join(HERE, "..", "..", "..", "testdata", "real",
                     "WA_Fn-UseC_-Telco-Customer-Churn.csv")
PARAMS = dict(max_depth=4, min_samples_leaf=5)


def f32(a):
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def tree_dict(m, X, compact):
    t = m.tree_
    path = m.cost_complexity_pruning_path(X, Y[id(X)])
    return {
        "feature": t.feature.tolist(), "threshold": t.threshold.tolist(),
        "left": t.children_left.tolist(), "right": t.children_right.tolist(),
        # sklearn 1.2 stores weighted class counts per node.
        "value": t.value[:, 0, :].tolist(), "impurity": t.impurity.tolist(),
        "n": t.n_node_samples.tolist(), "depth": int(m.get_depth()),
        "importances": m.feature_importances_.tolist(),
        **proba(m, X, compact),
        "ccp_alphas": path.ccp_alphas.tolist(), "ccp_impurities": path.impurities.tolist(),
    }


Y = {}


def proba(m, X, compact):
    """predict_proba on X; compact stores it losslessly as each row's leaf
    and each leaf's row of probabilities, to keep Telco's fixture small."""
    p = m.predict_proba(X)
    if not compact:
        return {"proba": p.tolist()}
    leaf = m.apply(X)
    rows = {}
    for i, l in enumerate(leaf):
        r = rows.setdefault(int(l), p[i])
        assert np.array_equal(r, p[i])
    return {"leaf": leaf.tolist(), "leaf_proba": {str(k): v.tolist() for k, v in rows.items()}}


def check_no_ties(X, y, crit, ref):
    for seed in range(1, 30):
        m = DecisionTreeClassifier(criterion=crit, random_state=seed, **PARAMS).fit(X, y)
        same = (np.array_equal(m.tree_.feature, ref.tree_.feature)
                and np.array_equal(m.tree_.threshold, ref.tree_.threshold))
        assert same, f"{crit}: tree depends on random_state (gain ties)"


def fixture(name, X, y, extra, compact=False):
    Y[id(X)] = y
    out = dict(extra)
    for crit in ("gini", "entropy"):
        m = DecisionTreeClassifier(criterion=crit, random_state=0, **PARAMS).fit(X, y)
        check_no_ties(X, y, crit, m)
        out[crit] = tree_dict(m, X, compact)
        # A pruned tree, with alpha between two steps of the path: exactly
        # at a step, which subtree goes depends on the last bit of alpha.
        a = out[crit]["ccp_alphas"]
        alpha = (a[len(a) // 2] + a[len(a) // 2 + 1]) / 2
        p = DecisionTreeClassifier(criterion=crit, random_state=0, ccp_alpha=alpha, **PARAMS).fit(X, y)
        out[crit]["pruned"] = {"alpha": alpha, "feature": p.tree_.feature.tolist(),
                               "threshold": p.tree_.threshold.tolist(),
                               "n": p.tree_.n_node_samples.tolist()}
    out["provenance"] = {"script": "analytics/tree/testdata/gen_fixtures.py",
                         "sklearn": sklearn.__version__, "numpy": np.__version__,
                         "pandas": pd.__version__,
                         "params": dict(PARAMS, random_state=0)}
    with open(os.path.join(HERE, name), "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")


def synthetic():
    rng = np.random.default_rng(1)
    n = 500
    X = f32(rng.normal(size=(n, 5)) * np.array([1, 2, 0.5, 1, 3]) + np.array([0, 5, -2, 1, 10]))
    z = X @ np.array([1.0, -0.5, 2.0, 0.0, 0.2])
    # Three classes from a noisy score: multi-class with overlap. Seed 1
    # because 20261128 gave an entropy node [1, 11, 0] of 12 rows where, with
    # min_samples_leaf=5, several features tie (check_no_ties caught it).
    s = z + rng.normal(scale=0.8, size=n)
    y = np.digitize(s, np.quantile(s, [0.4, 0.75]))
    fixture("synthetic.json", X, y, {"source": "synthetic, numpy default_rng(1)",
                                     "X": X.tolist(), "y": y.tolist()})


def telco():
    df = pd.read_csv(TELCO)
    df["TotalCharges"] = pd.to_numeric(df["TotalCharges"], errors="coerce")
    df = df.dropna(subset=["TotalCharges"])
    cols = ["tenure", "MonthlyCharges", "TotalCharges", "SeniorCitizen"]
    X = f32(df[cols].astype(float).to_numpy())
    y = (df["Churn"] == "Yes").astype(int).to_numpy()
    # X and y are not stored (size): the Go test reads the CSV the same way
    # and checks n and the column sums below.
    fixture("telco.json", X, y, {
        "source": "IBM Telco churn (testdata/real/WA_Fn-UseC_-Telco-Customer-Churn.csv), "
                  "rows with blank TotalCharges dropped, X cast to float32, target Churn=Yes",
        "columns": cols, "rows": int(len(y)), "colsums": X.sum(axis=0).tolist(),
        "positives": int(y.sum())}, compact=True)


if __name__ == "__main__":
    synthetic()
    telco()
