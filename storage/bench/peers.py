#!/usr/bin/python3
"""pandas peers for the Marketbench storage benchmarks.

Run with Debian's python3 (python3-pandas); the Go benchmarks run this file
(embedded in storage/bench) and compare its times with ours. By hand:

    /usr/bin/python3 storage/bench/peers.py read_csv FILE REPEAT
    /usr/bin/python3 storage/bench/peers.py rfm FILE ASOF REPEAT SCHEME_JSON

Each mode times only the work being compared, REPEAT times, and prints one
JSON object on stdout: {"seconds": [...], ...}. Without pandas it prints
{"error": ...} and exits with status 3, so the caller can skip the peer.
"""

import json
import sys
import time


def fail(msg, code=2):
    print(json.dumps({"error": msg}))
    sys.exit(code)


try:
    import numpy as np
    import pandas as pd
except ImportError as e:  # the peer is optional; say so and let Go skip it
    fail("pandas is not installed for %s (%s); install Debian's python3-pandas" % (sys.executable, e), 3)


def read_csv(path, repeat):
    """Time pandas.read_csv of the whole file with its defaults (type inference)."""
    secs, shape = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        df = pd.read_csv(path)
        secs.append(time.perf_counter() - t0)
        shape = df.shape
        del df
    return {"seconds": secs, "rows": shape[0], "columns": shape[1]}


def rfm(path, as_of, repeat, scheme):
    """Load orders (not timed), then time RFM the way an analyst writes it in
    pandas: recency/frequency/monetary per customer, quintile scores by rank
    with ties sharing the lowest rank (exactly our rule, see analytics/rfm),
    the RFM cell, the segment by the scheme's first matching rule, and the
    result ordered by customer id as text (as rfm_scores is)."""
    t0 = time.perf_counter()
    orders = pd.read_csv(path, dtype={"customer_id": "int64", "order_date": "str", "amount": "float64"})
    orders["order_date"] = pd.to_datetime(orders["order_date"], format="%Y-%m-%d")
    load = time.perf_counter() - t0
    as_of = pd.Timestamp(as_of)
    rules = scheme["rules"]
    secs, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        d = orders[orders["order_date"] <= as_of]
        c = d.assign(pos=d["amount"] > 0).groupby("customer_id").agg(
            last=("order_date", "max"), frequency=("pos", "sum"), monetary=("amount", "sum"))
        c["recency"] = (as_of - c["last"]).dt.days
        c["monetary"] = c["monetary"].round(2)
        n = len(c)
        c["r"] = (5 * (c["recency"].rank(method="min", ascending=False) - 1)) // n + 1
        c["f"] = (5 * (c["frequency"].rank(method="min") - 1)) // n + 1
        c["m"] = (5 * (c["monetary"].rank(method="min") - 1)) // n + 1
        c[["r", "f", "m"]] = c[["r", "f", "m"]].astype("int64")
        c["rfm_cell"] = c["r"].astype(str) + c["f"].astype(str) + c["m"].astype(str)
        conds = [c["r"].between(u["r"][0], u["r"][1]) & c["f"].between(u["f"][0], u["f"][1])
                 & c["m"].between(u["m"][0], u["m"][1]) for u in rules]
        c["rfm_segment"] = np.select(conds, [u["segment"] for u in rules], default=scheme["other"])
        c = c.reset_index()
        c["customer_id"] = c["customer_id"].astype(str)
        out = c.sort_values("customer_id", ignore_index=True)
        secs.append(time.perf_counter() - t0)
    # A checksum the Go side compares with rfm_scores, so both did the same work.
    check = {"customers": len(out), "r": int(out["r"].sum()), "f": int(out["f"].sum()), "m": int(out["m"].sum()),
             "frequency": int(out["frequency"].sum()), "segments": out["rfm_segment"].value_counts().to_dict()}
    return {"seconds": secs, "load_seconds": load, "check": check}


def main(argv):
    if len(argv) < 2:
        fail(__doc__)
    mode = argv[1]
    if mode == "read_csv" and len(argv) == 4:
        res = read_csv(argv[2], int(argv[3]))
    elif mode == "rfm" and len(argv) == 6:
        res = rfm(argv[2], argv[3], int(argv[4]), json.loads(argv[5]))
    else:
        fail("unknown mode or wrong arguments: %r\n%s" % (argv[1:], __doc__))
    res["pandas"] = pd.__version__
    print(json.dumps(res))


if __name__ == "__main__":
    main(sys.argv)
