#!/usr/bin/python3
"""Reference numbers for analytics/text from scikit-learn.

Run with Debian's python3-sklearn (1.2.1):

    cd analytics/text
    go test -run 'TokensGolden' -update   # writes tokens.json, classify_tokens.json
    /usr/bin/python3 testdata/gen_fixtures.py

tokens.json holds the tokens our Go tokeniser produced for a small English +
Chinese corpus; classify_tokens.json (TestClassifyTokensGolden -update) holds
texts, string labels and tokens for the classifier checks, including 400 UCI
Sentiment Labelled Sentences labelled by source and sentiment. sklearn receives exactly those tokens through a custom
analyzer, so the comparison tests the TF-IDF and naive Bayes arithmetic, not
tokenisation (sklearn's token_pattern would drop one-letter words and knows
nothing of Han bigrams).
"""
import json
import os
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
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

# Classifier: TF-IDF (min_df) then MultinomialNB or LogisticRegression with
# the default multi_class="auto" (binary for two labels, multinomial for
# more). Probabilities are for the held-out texts. For logistic regression
# "proba_test" is the optimum of sklearn's objective, solved by newton-cg to
# tol=1e-8 (tightening to 1e-12 changes nothing). sklearn's default lbfgs
# stops early on scipy's ftol=2.2e-9 (relative change of the objective), up
# to ~1e-4 away in probability; its answer is kept as "proba_test_lbfgs".
with open(os.path.join(here, "classify_tokens.json"), encoding="utf-8") as f:
    cls = json.load(f)
out = {"sklearn": sklearn.__version__, "cases": []}
configs = [("nb", 1, 1.0, 0), ("nb", 2, 0.5, 0), ("logreg", 1, 0, 1.0), ("logreg", 2, 0, 10.0)]
for d in cls["datasets"]:
    for k in ("train_tokens", "test_tokens"):  # Go writes no tokens as null
        d[k] = [t or [] for t in d[k]]
    for lab in d["labelings"]:
        for algo, min_df, alpha, C in configs:
            v = TfidfVectorizer(analyzer=ident, min_df=min_df)
            X = v.fit_transform(d["train_tokens"])
            T = v.transform(d["test_tokens"])
            case = {
                "dataset": d["name"], "labeling": lab["name"], "algo": algo,
                "min_df": min_df, "alpha": alpha, "c": C,
                "n_terms": len(v.get_feature_names_out()),
            }
            if algo == "nb":
                m = MultinomialNB(alpha=alpha).fit(X, lab["train"])
            else:
                with warnings.catch_warnings():
                    # newton-cg's inner CG loop warns near the optimum.
                    warnings.simplefilter("ignore", ConvergenceWarning)
                    m = LogisticRegression(C=C, solver="newton-cg", tol=1e-8, max_iter=1000)
                    m.fit(X, lab["train"])
                lb = LogisticRegression(C=C, max_iter=1000).fit(X, lab["train"])
                case["proba_test_lbfgs"] = lb.predict_proba(T).tolist()
            case["classes"] = [str(c) for c in m.classes_]
            case["proba_test"] = m.predict_proba(T).tolist()
            out["cases"].append(case)

with open(os.path.join(here, "sklearn_classify.json"), "w", encoding="utf-8") as f:
    json.dump(out, f, ensure_ascii=False, indent=1)
    f.write("\n")
