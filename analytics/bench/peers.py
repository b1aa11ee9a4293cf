#!/usr/bin/python3
"""scikit-learn peers for the Marketbench model benchmarks.

Run with Debian's python3 (python3-sklearn, python3-numpy); the Go benchmarks
in analytics/bench run this file (embedded) on the same raw little-endian
float64 files they fit on, and compare times. By hand:

    /usr/bin/python3 analytics/bench/peers.py logistic X Y D NTRAIN TOL [SCORE_X]
    /usr/bin/python3 analytics/bench/peers.py kmeans X D INIT TOL
    /usr/bin/python3 analytics/bench/peers.py forest X Y D NTRAIN [SCORE_X]
    /usr/bin/python3 analytics/bench/peers.py forest_capped X Y D NTRAIN MAX_DEPTH MIN_SAMPLES_LEAF [SCORE_X]
    /usr/bin/python3 analytics/bench/peers.py mlp X Y D NTRAIN EPOCHS HIDDEN   (HIDDEN like 64,32)

X files hold rows × D float64 values (np.fromfile), Y files one 0/1 float64
per row; the first NTRAIN rows train, the rest are the held-out test rows.
Loading is not timed. Each mode prints one JSON object on stdout. Without
scikit-learn it prints {"error": ...} and exits with status 3, so the caller
can skip the peer.
"""

import json
import sys
import time


def fail(msg, code=2):
    print(json.dumps({"error": msg}))
    sys.exit(code)


try:
    import numpy as np
    import sklearn
    from sklearn.cluster import KMeans
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.neural_network import MLPClassifier
except ImportError as e:  # the peer is optional; say so and let Go skip it
    fail("scikit-learn is not installed for %s (%s); install Debian's python3-sklearn" % (sys.executable, e), 3)


def load(path, d):
    return np.fromfile(path, dtype="<f8").reshape(-1, d)


def score_time(model, path, d):
    if not path:
        return None
    X = load(path, d)
    t0 = time.perf_counter()
    model.predict_proba(X)
    return time.perf_counter() - t0


def logistic(xp, yp, d, ntrain, tol, score_path):
    X, y = load(xp, d), np.fromfile(yp, dtype="<f8").astype(np.int64)
    m = LogisticRegression(solver="lbfgs", C=1.0, tol=tol, max_iter=1000)
    t0 = time.perf_counter()
    m.fit(X[:ntrain], y[:ntrain])
    fit = time.perf_counter() - t0
    auc = roc_auc_score(y[ntrain:], m.predict_proba(X[ntrain:])[:, 1])
    return {"fit_seconds": fit, "auc": auc, "n_iter": int(m.n_iter_[0]),
            "intercept": float(m.intercept_[0]), "coef": m.coef_[0].tolist(),
            "score_seconds": score_time(m, score_path, d)}


def kmeans(xp, d, init_path, tol):
    X, init = load(xp, d), load(init_path, d)
    m = KMeans(n_clusters=init.shape[0], init=init, n_init=1, algorithm="lloyd", tol=tol, max_iter=300)
    t0 = time.perf_counter()
    m.fit(X)
    fit = time.perf_counter() - t0
    return {"fit_seconds": fit, "inertia": float(m.inertia_), "n_iter": int(m.n_iter_)}


def forest(xp, yp, d, ntrain, score_path, max_depth=None, min_samples_leaf=1):
    X, y = load(xp, d), np.fromfile(yp, dtype="<f8").astype(np.int64)
    m = RandomForestClassifier(n_estimators=100, n_jobs=2, random_state=0,
                               max_depth=max_depth, min_samples_leaf=min_samples_leaf)
    t0 = time.perf_counter()
    m.fit(X[:ntrain], y[:ntrain])
    fit = time.perf_counter() - t0
    auc = roc_auc_score(y[ntrain:], m.predict_proba(X[ntrain:])[:, 1])
    nodes = sum(t.tree_.node_count for t in m.estimators_)
    return {"fit_seconds": fit, "auc": auc, "nodes": nodes, "score_seconds": score_time(m, score_path, d)}


def mlp(xp, yp, d, ntrain, epochs, hidden):
    """Exactly EPOCHS epochs: no early stopping, and a patience longer than
    the run so the training-loss rule never stops it either."""
    import warnings
    from sklearn.exceptions import ConvergenceWarning
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    X, y = load(xp, d), np.fromfile(yp, dtype="<f8").astype(np.int64)
    shape = tuple(int(h) for h in hidden.split(","))
    m = MLPClassifier(hidden_layer_sizes=shape, max_iter=epochs, n_iter_no_change=epochs + 1,
                      early_stopping=False, random_state=0)
    t0 = time.perf_counter()
    m.fit(X[:ntrain], y[:ntrain])
    fit = time.perf_counter() - t0
    auc = roc_auc_score(y[ntrain:], m.predict_proba(X[ntrain:])[:, 1])
    return {"fit_seconds": fit, "auc": auc, "n_iter": int(m.n_iter_)}


def main(argv):
    if len(argv) < 2:
        fail(__doc__)
    mode, a = argv[1], argv[2:]
    if mode == "logistic" and len(a) in (5, 6):
        res = logistic(a[0], a[1], int(a[2]), int(a[3]), float(a[4]), a[5] if len(a) == 6 else "")
    elif mode == "kmeans" and len(a) == 4:
        res = kmeans(a[0], int(a[1]), a[2], float(a[3]))
    elif mode == "forest" and len(a) in (4, 5):
        res = forest(a[0], a[1], int(a[2]), int(a[3]), a[4] if len(a) == 5 else "")
    elif mode == "forest_capped" and len(a) in (6, 7):
        res = forest(a[0], a[1], int(a[2]), int(a[3]), a[6] if len(a) == 7 else "", int(a[4]), int(a[5]))
    elif mode == "mlp" and len(a) == 6:
        res = mlp(a[0], a[1], int(a[2]), int(a[3]), int(a[4]), a[5])
    else:
        fail("unknown mode or wrong arguments: %r\n%s" % (argv[1:], __doc__))
    res["sklearn"] = sklearn.__version__
    print(json.dumps(res))


if __name__ == "__main__":
    main(sys.argv)
