# Regenerate: cd analytics/cluster/testdata && /usr/bin/python3 gen_fixtures.py
# (Debian's python3 with python3-sklearn 1.2.1 and numpy; writes kmeans.json here.)
"""Reference fixtures for analytics/cluster.

X is rounded to 10 significant digits before fitting, so the stored matrix is
exactly what scikit-learn saw. Every run starts from EXPLICIT centres with
n_init=1, so the result is deterministic and the Go port can be compared
run for run; k-means++ seeding uses a different RNG and is not compared.
"""
import json
import os

import numpy as np
import sklearn
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs
from sklearn.metrics import silhouette_score

HERE = os.path.dirname(os.path.abspath(__file__))


def r10(a):
    return np.array([float(f"{v:.10g}") for v in np.ravel(a)]).reshape(np.shape(a))


def main():
    # tol=1e-2 makes the centre-shift test, not label stability, end some runs.
    # Overlapping blobs so Lloyd needs several iterations, not one or two.
    X, truth = make_blobs(n_samples=600, n_features=4, centers=4, cluster_std=2.5,
                          random_state=20261128)
    X = r10(X)
    rng = np.random.default_rng(11)
    inits = {
        # Four data rows: a typical start.
        "rows": r10(X[rng.choice(len(X), 4, replace=False)]),
        # One centre far from every point: it is empty after the first
        # assignment, which exercises sklearn's relocation to the farthest point.
        "far": r10(np.vstack([X[rng.choice(len(X), 3, replace=False)], [60.0, 60.0, 60.0, 60.0]])),
    }
    runs = []
    for init_name, init in inits.items():
        for algo in ("lloyd", "elkan"):
            for tol in (1e-2, 1e-4, 0.0):
                km = KMeans(n_clusters=4, init=init, n_init=1, algorithm=algo, tol=tol,
                            max_iter=300).fit(X)
                runs.append({
                    "init_name": init_name, "init": init.tolist(), "algorithm": algo, "tol": tol,
                    "centres": km.cluster_centers_.tolist(), "labels": km.labels_.tolist(),
                    "inertia": float(km.inertia_), "n_iter": int(km.n_iter_),
                })
                print(init_name, algo, tol, "n_iter", km.n_iter_, "inertia", km.inertia_)
    out = {
        "X": X.tolist(), "truth": truth.tolist(), "runs": runs,
        "silhouette_truth": float(silhouette_score(X, truth)),
        "silhouette_run0": float(silhouette_score(X, runs[0]["labels"])),
        "provenance": {"script": "analytics/cluster/testdata/gen_fixtures.py",
                       "sklearn": sklearn.__version__, "numpy": np.__version__},
    }
    with open(os.path.join(HERE, "kmeans.json"), "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
