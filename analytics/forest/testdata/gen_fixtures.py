# Regenerate: cd analytics/forest/testdata && /usr/bin/python3 gen_fixtures.py
# (Debian's python3 with python3-sklearn, numpy, pandas; writes *.json here.)
"""Reference fixtures for analytics/forest.

The Go forest does not reproduce sklearn's random streams, so the tests are
statistical: the Go forest's test-set ROC AUC must be within 0.01 of
sklearn's RandomForestClassifier(n_estimators=100, random_state=0,
min_samples_leaf=5). The AUC over a few other random_states is stored too,
to show how much of that tolerance seed noise alone uses.
"""
import json
import os

import numpy as np
import pandas as pd
import sklearn
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

HERE = os.path.dirname(os.path.abspath(__file__))
TELCO = os.path.join(HERE, "..", "..", "..", "testdata", "real",
                     "WA_Fn-UseC_-Telco-Customer-Churn.csv")
PARAMS = dict(n_estimators=100, min_samples_leaf=5, oob_score=True)


def reference(Xtr, ytr, Xte, yte):
    out = {}
    for seed in range(5):
        m = RandomForestClassifier(random_state=seed, **PARAMS).fit(Xtr, ytr)
        auc = roc_auc_score(yte, m.predict_proba(Xte)[:, 1])
        if seed == 0:
            out["auc"] = auc
            out["oob_accuracy"] = m.oob_score_
            out["oob_auc"] = roc_auc_score(ytr, m.oob_decision_function_[:, 1])
            out["importances"] = m.feature_importances_.tolist()
        out.setdefault("auc_by_seed", []).append(auc)
    return out


def write(name, d):
    d["sklearn_version"] = sklearn.__version__
    with open(os.path.join(HERE, name), "w") as f:
        json.dump(d, f, separators=(",", ":"))
        f.write("\n")


def synthetic():
    X, y = make_classification(n_samples=2000, n_features=6, n_informative=4,
                               n_redundant=1, flip_y=0.05, random_state=0)
    X = np.round(X, 2)
    tr, te = np.arange(1400), np.arange(1400, 2000)
    d = {"x": X.tolist(), "y": y.tolist(), "test": te.tolist()}
    d.update(reference(X[tr], y[tr], X[te], y[te]))
    write("synthetic.json", d)


def telco():
    df = pd.read_csv(TELCO)
    df["TotalCharges"] = pd.to_numeric(df["TotalCharges"], errors="coerce")
    df = df.dropna(subset=["TotalCharges"]).reset_index(drop=True)
    cols = ["tenure", "MonthlyCharges", "TotalCharges", "SeniorCitizen"]
    X = df[cols].to_numpy(dtype=np.float64)
    y = (df["Churn"] == "Yes").to_numpy(dtype=int)
    idx = np.arange(len(y))
    tr, te = train_test_split(idx, test_size=0.3, random_state=0, stratify=y)
    te = np.sort(te)
    tr = np.setdiff1d(idx, te)
    # Row indices count data rows after dropping blank TotalCharges.
    d = {"features": cols, "n_rows": int(len(y)), "test": te.tolist()}
    d.update(reference(X[tr], y[tr], X[te], y[te]))
    write("telco.json", d)


if __name__ == "__main__":
    synthetic()
    telco()
