#!/usr/bin/python3
"""scipy.sparse item-kNN peer for BenchmarkRecommendKNN10M (analytics/bench).

Run with Debian's python3 (python3-scipy, python3-numpy). The Go benchmark
runs this file (embedded) on the same raw little-endian int32 files of order
lines it trains on. By hand:

    /usr/bin/python3 analytics/bench/recpeer.py knn CUSTOMER_I32 PRODUCT_I32 CUSTOMERS PRODUCTS K SCORE_K SHRINK TOP SAMPLE_STEP

What it computes, the same as analytics/recommend with a binary matrix:
X = customers x products, 1 where a customer bought a product (repeats once);
C = X.T @ X (co-buyer counts), diagonal dropped; similarity
((C / (n_i n_j)) * C) / (C + SHRINK), n = sqrt(buyers), the same operations
in the same order as Go, so equal bit for bit; the top K per product, ties
by the smaller product index; user scores = X @ S, S holding each product's
first SCORE_K neighbours; bought products masked; the TOP best per customer,
ties by the smaller index, in chunks of customers so memory stays bounded.

Loading the files is not timed. It prints one JSON object: the stage times,
the peak RSS (VmHWM from /proc/self/status: ru_maxrss would carry the Go
parent's size over the vfork+exec), every product's K neighbours, and the
top lists of customers 0, SAMPLE_STEP, 2*SAMPLE_STEP, ... Without scipy it
prints {"error": ...} and exits with status 3, so the caller can skip it.
"""

import json
import sys
import time


def fail(msg, code=2):
    print(json.dumps({"error": msg}))
    sys.exit(code)


try:
    import numpy as np
    import scipy
    import scipy.sparse as sp
except ImportError as e:  # the peer is optional; say so and let Go skip it
    fail("scipy is not installed for %s (%s); install Debian's python3-scipy" % (sys.executable, e), 3)


def vmhwm():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


def topk_rows(indptr, idx, val, k):
    """The k best (value desc, index asc) of each CSR row, as (counts, idx, val)."""
    n = len(indptr) - 1
    out_i = np.full((n, k), -1, dtype=np.int64)
    out_v = np.zeros((n, k))
    counts = np.zeros(n, dtype=np.int64)
    for j in range(n):
        a, b = indptr[j], indptr[j + 1]
        s, c = val[a:b], idx[a:b]
        if b - a > k:
            kth = np.partition(s, b - a - k)[b - a - k]  # the k-th largest
            sel = s >= kth  # ties at the edge kept, settled by index below
            s, c = s[sel], c[sel]
        o = np.lexsort((c, -s))[:k]
        counts[j] = len(o)
        out_i[j, :len(o)] = c[o]
        out_v[j, :len(o)] = s[o]
    return counts, out_i, out_v


def knn(cust_path, prod_path, customers, products, k, score_k, shrink, top, step):
    cust = np.fromfile(cust_path, dtype="<i4")
    prod = np.fromfile(prod_path, dtype="<i4")

    t0 = time.perf_counter()
    X = sp.csr_matrix((np.ones(len(cust)), (cust, prod)), shape=(customers, products))
    X.sum_duplicates()
    X.data[:] = 1.0
    t1 = time.perf_counter()

    C = (X.T.tocsr() @ X).tocsr()
    C.setdiag(0)
    C.eliminate_zeros()
    norm = np.sqrt(np.asarray(X.sum(axis=0)).ravel())
    rows = np.repeat(np.arange(products), np.diff(C.indptr))
    c = C.data
    sim = ((c / (norm[rows] * norm[C.indices])) * c) / (c + shrink)
    del rows, c
    counts, nb_i, nb_v = topk_rows(C.indptr, C.indices, sim, k)
    pairs = C.nnz
    del C, sim
    use = np.minimum(counts, score_k)
    mask = np.arange(k)[None, :] < use[:, None]
    S = sp.csr_matrix((nb_v[mask], nb_i[mask], np.concatenate(([0], np.cumsum(use)))), shape=(products, products))
    t2 = time.perf_counter()

    top_i = np.full((customers, top), -1, dtype=np.int32)
    top_v = np.zeros((customers, top))
    chunk = 50_000
    for a in range(0, customers, chunk):
        b = min(a + chunk, customers)
        Xc = X[a:b]
        U = (Xc @ S).tocsr()
        U = (U - U.multiply(Xc)).tocsr()  # bought products: exactly 0, then dropped
        U.eliminate_zeros()
        r = np.repeat(np.arange(b - a), np.diff(U.indptr))
        o = np.lexsort((U.indices, -U.data, r))
        rank = np.arange(len(o)) - U.indptr[r[o]]
        keep = rank < top
        o, rank = o[keep], rank[keep]
        top_i[a + r[o], rank] = U.indices[o]
        top_v[a + r[o], rank] = U.data[o]
    t3 = time.perf_counter()

    sample = list(range(0, customers, step))
    return {
        "build_seconds": t1 - t0, "train_seconds": t2 - t1, "score_seconds": t3 - t2,
        "peak_bytes": vmhwm(), "nnz": int(X.nnz), "pairs": int(pairs),
        "neighbours": [nb_i[j, :counts[j]].tolist() for j in range(products)],
        "sample": sample,
        "sample_items": [top_i[u][top_i[u] >= 0].tolist() for u in sample],
        "sample_scores": [top_v[u][top_i[u] >= 0].tolist() for u in sample],
    }


def main(argv):
    if len(argv) != 11 or argv[1] != "knn":
        fail("unknown mode or wrong arguments: %r\n%s" % (argv[1:], __doc__))
    a = argv[2:]
    res = knn(a[0], a[1], int(a[2]), int(a[3]), int(a[4]), int(a[5]), float(a[6]), int(a[7]), int(a[8]))
    res["scipy"] = scipy.__version__
    print(json.dumps(res))


if __name__ == "__main__":
    main(sys.argv)
