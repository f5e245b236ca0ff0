"""Scores of the objective classifier's decisions, shared by evaluation and active learning.

Its own module so that `_active` (learning curve) and `_evaluation` (CLI figures) both use
one scoring rule without importing each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .types import OFF_STRATEGY

__all__ = ["mapping_scores", "reliability", "score_decisions", "split_label"]


def split_label(label: str) -> list[str]:
    """Return the gold objectives of one row ('a;b' allowed)."""
    return [p.strip() for p in label.replace(",", ";").split(";") if p.strip()]


def mapping_scores(gold: list[list[str]], pred: list[list[str]], classes: list[str]) -> dict:
    """Return accuracy (top prediction in gold), multi-label macro-F1 and per-class F1."""
    from sklearn.metrics import f1_score
    from sklearn.preprocessing import MultiLabelBinarizer

    mlb = MultiLabelBinarizer(classes=classes)
    g, p = mlb.fit_transform(gold), mlb.transform(pred)
    present = [i for i, c in enumerate(classes) if g[:, i].any()]
    per = f1_score(g, p, average=None, zero_division=0)
    return {
        "n": len(gold),
        "accuracy": round(
            float(np.mean([q[:1] and q[0] in s for q, s in zip(pred, gold, strict=True)])), 4
        ),
        "macro_f1": round(float(np.mean(per[present])), 4),
        "per_objective_f1": {classes[i]: round(float(per[i]), 4) for i in present},
    }


def reliability(confidence: Sequence[float], correct: Sequence[bool], bins: int = 10) -> dict:
    """Return the reliability table (per confidence bin) and the expected calibration error."""
    conf = np.asarray(confidence, dtype=float)
    ok = np.asarray(correct, dtype=float)
    table, ece = [], 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        sel = (conf > lo) & (conf <= hi) if b else (conf >= lo) & (conf <= hi)
        if not sel.any():
            continue
        gap = abs(conf[sel].mean() - ok[sel].mean())
        ece += sel.mean() * gap
        table.append(
            {
                "bin": f"{lo:.1f}-{hi:.1f}",
                "n": int(sel.sum()),
                "confidence": round(float(conf[sel].mean()), 4),
                "accuracy": round(float(ok[sel].mean()), 4),
            }
        )
    return {"ece": round(float(ece), 4), "table": table}


def score_decisions(clf: Any, P: np.ndarray, rows: Sequence[int], gold: list[list[str]]) -> dict:
    """Score the classifier's decisions on `rows`: accuracy, macro-F1, per-objective, ECE."""
    pred, conf, correct, counted, unassigned, review = [], [], [], 0, 0, 0
    for i in rows:
        code, c, matches, needs = clf.decide(P[i])
        pred.append([x.code for x in matches])
        conf.append(c)
        correct.append(code in gold[i])
        counted += any(x.code in gold[i] for x in matches)
        unassigned += code == OFF_STRATEGY
        review += needs
    out = mapping_scores([gold[i] for i in rows], pred, clf.classes)
    rel = reliability(conf, correct)
    n = max(1, len(rows))
    return out | {
        "ece": rel["ece"],
        "reliability": rel["table"],
        "counted_for_true_objective": round(counted / n, 4),
        "fuori_strategia_share": round(unassigned / n, 4),
        "needs_review_share": round(review / n, 4),
    }
