#!/usr/bin/python3
"""Reference numbers for analytics/text from scikit-learn.

Run with Debian's python3-sklearn (1.2.1):

    cd analytics/text
    go test -run TestTokensGolden -update   # writes testdata/tokens.json
    /usr/bin/python3 testdata/gen_fixtures.py

tokens.json holds the tokens our Go tokeniser produced for a small English +
Chinese corpus. sklearn receives exactly those tokens through a custom
analyzer, so the comparison tests the TF-IDF and naive Bayes arithmetic, not
tokenisation (sklearn's token_pattern would drop one-letter words and knows
nothing of Han bigrams).
"""
import json
import os

import numpy as np
import sklearn
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.naive_bayes import MultinomialNB

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "tokens.json"), encoding="utf-8") as f:
    src = json.load(f)


def ident(doc):
    return doc


out = {"sklearn": sklearn.__version__, "tfidf": [], "nb": []}
for t in src["sets"]:
    docs = t["tokens"]
    # sklearn 1.2.1 ranks max_features with an unstable argsort, so terms
    # tied at the cut are kept arbitrarily; cut where no tie straddles it.
    tf = {}
    for d in docs:
        for w in d:
            tf[w] = tf.get(w, 0) + 1
    cut = sum(1 for n in tf.values() if n >= 3)
    for min_df, max_features in [(1, None), (2, None), (1, cut)]:
        v = TfidfVectorizer(analyzer=ident, min_df=min_df, max_features=max_features)
        X = v.fit_transform(docs)
        out["tfidf"].append({
            "set": t["name"], "min_df": min_df, "max_features": max_features or 0,
            "terms": list(v.get_feature_names_out()),
            "idf": v.idf_.tolist(), "x": X.toarray().tolist(),
        })
    cv = CountVectorizer(analyzer=ident)
    C = cv.fit_transform(docs)
    for alpha in [1.0, 0.5]:
        nb = MultinomialNB(alpha=alpha).fit(C, src["labels"])
        out["nb"].append({
            "set": t["name"], "alpha": alpha,
            "terms": list(cv.get_feature_names_out()),
            "class_log_prior": nb.class_log_prior_.tolist(),
            "feature_log_prob": nb.feature_log_prob_.tolist(),
            "log_proba": nb.predict_log_proba(C).tolist(),
        })

with open(os.path.join(here, "sklearn.json"), "w", encoding="utf-8") as f:
    json.dump(out, f, ensure_ascii=False, indent=1)
    f.write("\n")
