# Regenerate: cd analytics/prep/testdata && /usr/bin/python3 gen_fixtures.py
# (Debian's python3 with python3-sklearn, numpy, pandas; writes prep.json here.)
"""Reference fixtures for analytics/prep.

The synthetic matrix is rounded to 10 significant digits so the stored input
is exactly what scikit-learn saw. The Telco rows are not stored (that would
exceed the fixture size budget): the Go test reads the same CSV and drops the
same blank TotalCharges rows, so only sklearn's fitted values and the first
rows of each output are kept. Missing values are written as null (JSON has
no NaN).
"""
import json
import os

import numpy as np
import pandas as pd
import sklearn
from sklearn.decomposition import PCA
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import MinMaxScaler, OneHotEncoder, StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))
TELCO = os.path.join(HERE, "..", "..", "..", "testdata", "real",
                     "WA_Fn-UseC_-Telco-Customer-Churn.csv")
HEAD = 50  # transformed rows kept per output


def r10(a):
    """Round to 10 significant digits (and back to float64)."""
    return np.array([float(f"{v:.10g}") for v in np.ravel(a)]).reshape(np.shape(a))


def nulls(a):
    return [[None if np.isnan(v) else float(v) for v in row] for row in a]


def flip(comp, scores):
    """Make each component's largest-|loading| positive, as prep.PCA does.

    sklearn's svd_flip uses a different rule (largest |u| per column), so
    signs are normalised here before comparing.
    """
    comp, scores = comp.copy(), scores.copy()
    for i in range(comp.shape[0]):
        if comp[i, np.argmax(np.abs(comp[i]))] < 0:
            comp[i] *= -1
            scores[:, i] *= -1
    return comp, scores


def numeric(X, Xtest):
    out = {}
    s = StandardScaler().fit(X)
    out["standard"] = {"mean": s.mean_.tolist(), "scale": s.scale_.tolist(),
                       "train": s.transform(X[:HEAD]).tolist(),
                       "test": s.transform(Xtest).tolist()}
    m = MinMaxScaler().fit(X)
    out["minmax"] = {"min": m.data_min_.tolist(), "max": m.data_max_.tolist(),
                     "train": m.transform(X[:HEAD]).tolist(),
                     "test": m.transform(Xtest).tolist()}
    p = PCA(svd_solver="full").fit(X)
    comp, scores = flip(p.components_, p.transform(X[:HEAD]))
    _, tscores = flip(p.components_, p.transform(Xtest))
    out["pca"] = {"mean": p.mean_.tolist(), "components": comp.tolist(),
                  "variance": p.explained_variance_.tolist(),
                  "ratio": p.explained_variance_ratio_.tolist(),
                  "train": scores.tolist(), "test": tscores.tolist()}
    return out


def main():
    rng = np.random.default_rng(20261128)
    n, k = 200, 6
    # Mixed scales and correlation; column 5 is constant to exercise the
    # zero-variance rule (scale 1, range 1).
    X = rng.normal(size=(n, k)) @ np.triu(np.full((k, k), 0.4)) * np.array([1, 10, 0.1, 3, 100, 0]) \
        + np.array([0, 50, -2, 7, 1000, 3.5])
    X = r10(X)
    Xtest = r10(rng.normal(size=(10, k)) * 2 + X.mean(axis=0))

    df = pd.read_csv(TELCO)
    df = df[df["TotalCharges"].str.strip() != ""]
    T = df[["tenure", "MonthlyCharges", "TotalCharges"]].astype(float).to_numpy()

    # Imputer: knock ~15% holes into the synthetic matrix; a tie in column 0
    # checks most_frequent picks the smallest value, like sklearn.
    M = X.copy()
    M[rng.uniform(size=M.shape) < 0.15] = np.nan
    M[:, 0] = np.round(M[:, 0])
    Mtest = Xtest.copy()
    Mtest[rng.uniform(size=Mtest.shape) < 0.3] = np.nan
    imp = {}
    for strat in ["mean", "median", "most_frequent", "constant"]:
        s = SimpleImputer(strategy=strat, fill_value=-1.5 if strat == "constant" else None).fit(M)
        imp[strat] = {"stats": s.statistics_.tolist(), "train": s.transform(M[:HEAD]).tolist(),
                      "test": s.transform(Mtest).tolist()}

    cats = ["Contract", "PaymentMethod", "InternetService", "gender"]
    C = df[cats].to_numpy()
    Ctrain, Ctest = C[:300], C[300:340].copy()
    Ctest[0, 0] = "Three year"  # unseen: all zeros for that column
    Ctest[1, 1] = "Bitcoin"
    oh = OneHotEncoder(handle_unknown="ignore", sparse_output=False).fit(Ctrain)
    names = [n.replace(c + "_", c + "=", 1) for n in oh.get_feature_names_out(cats)
             for c in cats if n.startswith(c + "_")]

    out = {
        "synthetic": {"X": X.tolist(), "test": Xtest.tolist(), **numeric(X, Xtest)},
        "telco": {"rows": len(T), "test": T[-10:].tolist(), **numeric(T, T[-10:])},
        "impute": {"X": nulls(M), "test": nulls(Mtest), "fill": -1.5, **imp},
        "onehot": {"columns": cats, "train": Ctrain.tolist(), "test": Ctest.tolist(),
                   "categories": [c.tolist() for c in oh.categories_], "names": names,
                   "out": oh.transform(Ctest).tolist()},
        "provenance": {"script": "analytics/prep/testdata/gen_fixtures.py",
                       "sklearn": sklearn.__version__, "numpy": np.__version__,
                       "pandas": pd.__version__},
    }
    with open(os.path.join(HERE, "prep.json"), "w") as f:
        json.dump(out, f, separators=(",", ":"), allow_nan=False)
        f.write("\n")


if __name__ == "__main__":
    main()
