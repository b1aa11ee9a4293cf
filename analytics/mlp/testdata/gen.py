# Regenerate: cd analytics/mlp/testdata && /usr/bin/python3 gen.py
# (Debian's python3 with python3-sklearn and numpy; writes the files here.)
"""Reference fixtures for analytics/mlp.

Two data sets, standardised with StandardScaler fitted on the training rows
(as analytics/model does before an MLP), written as CSV with a "test"
column (1 for the held-out rows) and the target last:

  classification.csv  make_classification, 4,000 rows, 10 features, three
                      clusters per class (not linearly separable)
  regression.csv      make_friedman1, 3,000 rows, 10 features, target
                      scaled to amounts around 200

reference.json holds scikit-learn's test ROC AUC (MLPClassifier) and test
R² (MLPRegressor inside TransformedTargetRegressor with a StandardScaler on
y, which is what analytics/mlp does internally) with hidden layers (64, 32),
early stopping on, everything else default, for random_state 0..4 (the
spread shows how much of the test's tolerance seed noise uses), and the
same for other layer sizes: the small experiment behind the default.
"""
import json
import os
import warnings

import numpy as np
import sklearn
from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import make_classification, make_friedman1
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import r2_score, roc_auc_score
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.preprocessing import StandardScaler

warnings.filterwarnings("ignore", category=ConvergenceWarning)
HERE = os.path.dirname(os.path.abspath(__file__))
SEEDS = range(5)
SHAPES = [(64, 32), (100,), (32, 16), (128, 64)]


def write_csv(name, X, y, test):
    cols = ["x%d" % j for j in range(X.shape[1])] + ["test", "y"]
    with open(os.path.join(HERE, name), "w") as f:
        f.write(",".join(cols) + "\n")
        for i in range(X.shape[0]):
            f.write(",".join("%.5f" % v for v in X[i]) + ",%d,%s\n" % (test[i], ("%.4f" % y[i]) if y.dtype.kind == "f" else y[i]))


def standardise(X, ntrain):
    s = StandardScaler().fit(X[:ntrain])
    return np.round(s.transform(X), 5)


def classification():
    X, y = make_classification(n_samples=4000, n_features=10, n_informative=6, n_redundant=2,
                               n_clusters_per_class=3, flip_y=0.05, class_sep=0.8, random_state=1)
    ntrain = 3000
    X = standardise(X, ntrain)
    write_csv("classification.csv", X, y, np.arange(4000) >= ntrain)
    out = {}
    for shape in SHAPES:
        aucs = []
        for seed in SEEDS:
            m = MLPClassifier(hidden_layer_sizes=shape, early_stopping=True, random_state=seed, max_iter=500)
            m.fit(X[:ntrain], y[:ntrain])
            aucs.append(roc_auc_score(y[ntrain:], m.predict_proba(X[ntrain:])[:, 1]))
        out["x".join(map(str, shape))] = aucs
    return out


def regression():
    X, y = make_friedman1(n_samples=3000, n_features=10, noise=1.0, random_state=2)
    y = 200 + 20 * y
    ntrain = 2250
    X = standardise(X, ntrain)
    write_csv("regression.csv", X, y, np.arange(3000) >= ntrain)
    out = {}
    for shape in SHAPES:
        r2s = []
        for seed in SEEDS:
            m = TransformedTargetRegressor(
                regressor=MLPRegressor(hidden_layer_sizes=shape, early_stopping=True, random_state=seed, max_iter=500),
                transformer=StandardScaler())
            m.fit(X[:ntrain], y[:ntrain])
            r2s.append(r2_score(y[ntrain:], m.predict(X[ntrain:])))
        out["x".join(map(str, shape))] = r2s
    return out


def main():
    ref = {"sklearn_version": sklearn.__version__,
           "classification_auc": classification(),
           "regression_r2": regression()}
    with open(os.path.join(HERE, "reference.json"), "w") as f:
        json.dump(ref, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
