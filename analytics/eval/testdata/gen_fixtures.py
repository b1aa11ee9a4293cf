#!/usr/bin/python3
"""Write fixtures.json: inputs and scikit-learn's outputs for package eval.

Run with Debian's python3 (python3-sklearn, python3-numpy):
    /usr/bin/python3 analytics/eval/testdata/gen_fixtures.py
Deterministic: fixed seeds, so re-running gives the same file for the same
sklearn/numpy versions (recorded in the output).
"""
import json
import os
import warnings

import numpy as np
import sklearn
from sklearn.calibration import calibration_curve
from sklearn.metrics import (accuracy_score, average_precision_score,
                             brier_score_loss, confusion_matrix, f1_score,
                             log_loss, mean_absolute_error, mean_squared_error,
                             precision_recall_fscore_support, precision_score,
                             r2_score, recall_score, roc_auc_score, roc_curve)

warnings.simplefilter("ignore")  # zero_division and similar warnings are expected
rng = np.random.default_rng(20261128)


def fl(a):
    return [float(v) for v in a]


def binary_case(name, y, p):
    y = np.asarray(y, dtype=int)
    p = np.asarray(p, dtype=float)
    pred = (p >= 0.5).astype(int)
    fpr, tpr, thr = roc_curve(y, p, drop_intermediate=False)
    c = {
        "name": name, "y": y.tolist(), "p": fl(p), "pred": pred.tolist(),
        "auc": float(roc_auc_score(y, p)),
        "fpr": fl(fpr), "tpr": fl(tpr), "thr": fl(thr),
        "ap": float(average_precision_score(y, p)),
        "logloss": float(log_loss(y, p)),
        "brier": float(brier_score_loss(y, p)),
        "accuracy": float(accuracy_score(y, pred)),
        "precision": float(precision_score(y, pred, zero_division=0)),
        "recall": float(recall_score(y, pred, zero_division=0)),
        "f1": float(f1_score(y, pred, zero_division=0)),
        "calibration": [],
    }
    for strategy in ("uniform", "quantile"):
        for n_bins in (3, 5, 10):
            pt, pp = calibration_curve(y, p, n_bins=n_bins, strategy=strategy)
            c["calibration"].append({"strategy": strategy, "bins": n_bins,
                                     "prob_true": fl(pt), "prob_pred": fl(pp)})
    return c


binary = []
binary.append(binary_case("sklearn_doc", [0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]))
y = rng.integers(0, 2, 400)
binary.append(binary_case("ties_1dp", y, np.clip(np.round(0.3 * y + rng.random(400) * 0.7, 1), 0, 1)))
y = rng.integers(0, 2, 250)
binary.append(binary_case("continuous", y, np.clip(0.2 * y + 0.8 * rng.random(250), 0, 1)))
y = np.array([0] * 30 + [1] * 20)
p = np.r_[rng.random(30) * 0.4, 0.6 + rng.random(20) * 0.4]
binary.append(binary_case("perfect", y, p))
binary.append(binary_case("inverted", y, 1 - p))
y = (rng.random(1000) < 0.04).astype(int)
binary.append(binary_case("imbalanced_ties", y, np.round(np.clip(0.05 + 0.25 * y * rng.random(1000) + 0.3 * rng.random(1000), 0, 1), 2)))
binary.append(binary_case("all_tied", [0, 1, 0, 1, 1, 0, 0], [0.5] * 7))
binary.append(binary_case("extremes", [0, 1, 1, 0, 1, 0, 0, 1], [0.0, 1.0, 0.0, 1.0, 0.999, 1e-20, 0.5, 0.7]))

multiclass = []
for name, yt, yp in [
    ("four_classes", rng.integers(0, 4, 120), None),
    ("unpredicted_label", [0, 1, 2, 2, 1, 0, 3, 3, 0], [0, 2, 2, 2, 0, 0, 0, 0, 1]),
    ("negative_labels", [-1, 5, 5, -1, 7, 5, 7], [5, 5, 5, -1, -1, 7, 2]),
    ("binary", [0, 1, 1, 0, 1, 1, 0, 0, 0, 1], [0, 1, 0, 0, 1, 1, 1, 0, 0, 1]),
]:
    yt = np.asarray(yt)
    if yp is None:
        yp = np.where(rng.random(len(yt)) < 0.6, yt, rng.integers(0, 4, len(yt)))
        yp[yp == 3] = 2  # class 3 is never predicted
    yp = np.asarray(yp)
    labels = np.unique(np.r_[yt, yp])
    pr, rc, f, s = precision_recall_fscore_support(yt, yp, labels=labels, zero_division=0)
    m = precision_recall_fscore_support(yt, yp, average="macro", zero_division=0)
    w = precision_recall_fscore_support(yt, yp, average="weighted", zero_division=0)
    multiclass.append({
        "name": name, "y": yt.tolist(), "pred": yp.tolist(), "labels": labels.tolist(),
        "confusion": confusion_matrix(yt, yp, labels=labels).tolist(),
        "precision": fl(pr), "recall": fl(rc), "f1": fl(f), "support": s.tolist(),
        "accuracy": float(accuracy_score(yt, yp)),
        "macro": fl(m[:3]), "weighted": fl(w[:3]),
    })

regression = []
for name, yt, yp in [
    ("random", rng.normal(50, 10, 300), None),
    ("long", rng.normal(0, 1, 1000) * 1e3, None),
    ("constant_perfect", [2.5] * 6, [2.5] * 6),
    ("constant_imperfect", [-2.0, -2.0, -2.0], [-2.0, -2.0, -2.0 + 1e-8]),
    ("nearly_constant", [0.1] * 10, [0.1] * 9 + [0.2]),
    ("two", [1.0, 3.0], [2.0, 2.0]),
]:
    yt = np.asarray(yt, dtype=float)
    if yp is None:
        yp = yt + rng.normal(0, 3, len(yt)) * np.abs(yt).mean() / 50
    yp = np.asarray(yp, dtype=float)
    regression.append({
        "name": name, "y": fl(yt), "p": fl(yp),
        "rmse": float(mean_squared_error(yt, yp, squared=False)),
        "mae": float(mean_absolute_error(yt, yp)),
        "r2": float(r2_score(yt, yp)),
    })

out = {"sklearn": sklearn.__version__, "numpy": np.__version__,
       "binary": binary, "multiclass": multiclass, "regression": regression}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures.json")
with open(path, "w") as fh:
    json.dump(out, fh, separators=(",", ":"))
    fh.write("\n")
