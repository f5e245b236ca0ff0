"""BERTopic construction, outlier reduction, labels, centroids and soft assignment."""

from __future__ import annotations

import logging
import warnings

import numpy as np

from ._compat import quiet_imports
from ._embeddings import Encoder
from .types import OUTLIER

log = logging.getLogger(__name__)

MIN_SECONDARY = 0.15


def _backend(encoder: Encoder):
    """Wrap an Encoder as a BERTopic embedding backend (used for word embeddings)."""
    with quiet_imports():
        from bertopic.backend import BaseEmbedder

    class _Backend(BaseEmbedder):
        def embed(self, documents, verbose=False):
            return encoder.encode(list(documents))

    return _Backend()


def _vectorizer(n_docs: int):
    """Return a fresh CountVectorizer over pre-lemmatised, space-joined text."""
    from sklearn.feature_extraction.text import CountVectorizer

    return CountVectorizer(
        token_pattern=r"\S+",
        lowercase=False,
        ngram_range=(1, 2),
        max_features=60_000 if n_docs > 2000 else None,
    )


def _representation():
    """Return a fresh diversity-aware keyword representation."""
    with quiet_imports():
        from bertopic.representation import MaximalMarginalRelevance

    return MaximalMarginalRelevance(diversity=0.3, top_n_words=10)


def new_bertopic(encoder: Encoder, reducer, clusterer, n_docs: int):
    """Build a BERTopic with fresh, never-shared sub-models."""
    with quiet_imports():
        from bertopic import BERTopic
        from bertopic.vectorizers import ClassTfidfTransformer

    return BERTopic(
        embedding_model=_backend(encoder),
        umap_model=reducer,
        hdbscan_model=clusterer,
        vectorizer_model=_vectorizer(n_docs),
        ctfidf_model=ClassTfidfTransformer(reduce_frequent_words=True),
        representation_model=_representation(),
        top_n_words=10,
        calculate_probabilities=False,
        verbose=False,
    )


def manual_keywords(encoder: Encoder, lemmas: list[str], topics: np.ndarray, vectors) -> dict:
    """Return {theme id: lemma keywords} of final topics via BERTopic's manual topic modelling.

    BERTopic is given the topics we found (BaseDimensionalityReduction + BaseCluster with
    y=topics), so c-TF-IDF compares every theme with every other and MMR diversifies.
    """
    ids = sorted(set(topics.tolist()) - {OUTLIER})
    if not ids:
        return {}
    with quiet_imports():
        from bertopic import BERTopic
        from bertopic.cluster import BaseCluster
        from bertopic.dimensionality import BaseDimensionalityReduction
        from bertopic.vectorizers import ClassTfidfTransformer

    docs = [d if d.strip() else "_" for d in lemmas]
    if len(ids) == 1 and not (topics == OUTLIER).any():
        # c-TF-IDF needs two classes: compare the single theme with an empty background
        docs = [*docs, "_"]
        topics = np.concatenate([topics, [OUTLIER]])
        vectors = np.vstack([vectors, vectors[:1]])
    model = BERTopic(
        embedding_model=_backend(encoder),
        umap_model=BaseDimensionalityReduction(),
        hdbscan_model=BaseCluster(),
        vectorizer_model=_vectorizer(len(docs)),
        ctfidf_model=ClassTfidfTransformer(reduce_frequent_words=True),
        representation_model=None,  # diversity is handled on surface forms (cheap)
        top_n_words=20,
        calculate_probabilities=False,
        verbose=False,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(docs, embeddings=np.asarray(vectors), y=topics.tolist())
    # BERTopic renumbers topics by size: map ours to its ids through the documents.
    theirs = np.asarray(model.topics_)
    out = {}
    for tid in ids:
        values, n = np.unique(theirs[topics == tid], return_counts=True)
        words = model.get_topic(int(values[np.argmax(n)])) or []
        out[int(tid)] = [w for w, _ in words if w and w != "_"]
    return out


def centroids(vectors: np.ndarray, topics: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Return unit mean vectors of each theme's members."""
    out = np.zeros((len(ids), vectors.shape[1]), dtype=np.float32)
    for j, tid in enumerate(ids):
        mean = vectors[topics == tid].mean(axis=0)
        out[j] = mean / max(float(np.linalg.norm(mean)), 1e-12)
    return out


def assign_threshold(sims: np.ndarray, topics: np.ndarray, ids: np.ndarray) -> float:
    """Return the 5th percentile of members' similarity to their own centroid."""
    own = [sims[i, int(np.searchsorted(ids, t))] for i, t in enumerate(topics) if t != OUTLIER]
    return float(np.percentile(own, 5)) if own else 0.0


def reduce_outliers(topics: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """Move outliers to their nearest theme when as close as a typical member."""
    topics = topics.copy()
    ids = np.array(sorted(set(topics.tolist()) - {OUTLIER}), dtype=int)
    if not (topics == OUTLIER).any() or not len(ids):
        return topics
    sims = vectors @ centroids(vectors, topics, ids).T
    threshold = assign_threshold(sims, topics, ids)
    out = np.flatnonzero(topics == OUTLIER)
    best = sims[out].argmax(axis=1)
    keep = sims[out, best] >= threshold
    topics[out[keep]] = ids[best[keep]]
    log.info("outliers: %d of %d reassigned", int(keep.sum()), len(out))
    return topics


def relabel(topic_model, lemmas: list[str], topics: np.ndarray, encoder: Encoder) -> dict:
    """Recompute c-TF-IDF keywords for final topics; return {theme id: keywords}."""
    if not np.array_equal(topics, np.asarray(topic_model.topics_)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            topic_model.update_topics(
                lemmas,
                topics=topics.tolist(),
                vectorizer_model=_vectorizer(len(lemmas)),
                representation_model=_representation(),
                top_n_words=10,
            )
    out = {}
    for tid in sorted(set(topics.tolist()) - {OUTLIER}):
        words = topic_model.get_topic(tid) or []
        out[int(tid)] = [w for w, _ in words if w]
    return out


def label(words: list[str], n: int = 3) -> str:
    """Return a short readable label from the top keywords, without repeats."""
    chosen: list[str] = []
    used: set[str] = set()
    for word in words:
        parts = set(word.split())
        if parts <= used:
            continue
        chosen.append(word)
        used |= parts
        if len(chosen) == n:
            break
    return ", ".join(chosen) or "(senza parole chiave)"


def temperature(sims: np.ndarray) -> float:
    """Return a softmax temperature scaled to this encoder's cosine spread."""
    if sims.size < 2:
        return 0.05
    return max(1e-3, 0.5 * float(np.std(sims)))


def soft(sims: np.ndarray, temp: float) -> np.ndarray:
    """Return row-wise softmax(sims / temp)."""
    if sims.shape[1] == 0:
        return sims
    z = (sims - sims.max(axis=1, keepdims=True)) / temp
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def top_probs(ids: np.ndarray, probs: np.ndarray, primary: int) -> list[tuple[int, float]]:
    """Return (theme, probability) pairs worth showing, best first, at most 3."""
    if not len(ids):
        return []
    order = np.argsort(-probs)[:3]
    cut = max(MIN_SECONDARY, 0.5 * float(probs[order[0]]))
    out = [(int(ids[j]), round(float(probs[j]), 4)) for j in order if probs[j] >= cut]
    if primary != OUTLIER and all(t != primary for t, _ in out):
        j = int(np.searchsorted(ids, primary))
        out.insert(0, (primary, round(float(probs[j]), 4)))
    return out
