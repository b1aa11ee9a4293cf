#!/usr/bin/python3
"""Writes psi.json: reference and current samples and their PSI, computed
independently with numpy (Debian python3-numpy), for drift_test.go.

Run from this directory: /usr/bin/python3 gen_fixtures.py
Bins: numpy's default (linear) deciles of the reference, ties merged,
bin i = (e[i-1], e[i]] (searchsorted side='left'), a bin for missing values;
categories: the reference's values plus one bin for unseen values.
Empty bins count as 1e-4."""
import json
import numpy as np

EPS = 1e-4
rng = np.random.default_rng(13)


def psi(ref, cur):
    ref = np.maximum(ref, EPS)
    cur = np.maximum(cur, EPS)
    return float(np.sum((cur - ref) * np.log(cur / ref)))


def numeric_shares(edges, x):
    x = np.asarray(x, dtype=float)
    miss = np.isnan(x)
    idx = np.searchsorted(edges, x[~miss], side="left")
    n = np.bincount(idx, minlength=len(edges) + 1).astype(float)
    n = np.append(n, miss.sum())
    return n / len(x)


def numeric_case(name, ref, cur):
    vals = np.sort(ref[~np.isnan(ref)])
    edges = np.unique(np.quantile(vals, np.arange(1, 10) / 10))
    r, c = numeric_shares(edges, ref), numeric_shares(edges, cur)
    return {"name": name, "kind": "numeric", "ref": [None if np.isnan(v) else float(v) for v in ref],
            "cur": [None if np.isnan(v) else float(v) for v in cur],
            "edges": edges.tolist(), "ref_share": r.tolist(), "cur_share": c.tolist(), "psi": psi(r, c)}


def cat_case(name, ref, cur):
    cats = sorted(set(ref))
    def shares(x):
        n = np.zeros(len(cats) + 1)
        for v in x:
            n[cats.index(v) if v in cats else len(cats)] += 1
        return n / len(x)
    r, c = shares(ref), shares(cur)
    return {"name": name, "kind": "categorical", "ref_cat": list(ref), "cur_cat": list(cur),
            "categories": cats, "ref_share": r.tolist(), "cur_share": c.tolist(), "psi": psi(r, c)}


def with_nan(x, share):
    x = x.copy()
    x[rng.random(len(x)) < share] = np.nan
    return x


cases = [
    numeric_case("normal same", rng.normal(0, 1, 2000), rng.normal(0, 1, 1500)),
    numeric_case("normal shifted", with_nan(rng.normal(0, 1, 2000), 0.05), with_nan(rng.normal(0.8, 1.3, 1500), 0.1)),
    numeric_case("counts with ties", rng.poisson(2, 3000).astype(float), rng.poisson(3, 2500).astype(float)),
    numeric_case("beyond the range", rng.uniform(0, 1, 1000), rng.uniform(0.5, 2, 800)),
    cat_case("regions", rng.choice(["north", "south", "east", "west", ""], 2000, p=[.4, .3, .2, .05, .05]).tolist(),
             rng.choice(["north", "south", "east", "west", "", "islands"], 1500, p=[.2, .3, .2, .1, .1, .1]).tolist()),
]
with open("psi.json", "w") as f:
    json.dump({"numpy": np.__version__, "cases": cases}, f)
