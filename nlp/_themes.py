"""Theme model: BERTopic with size-adapted sub-models and Italian labels."""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import _represent
from ._clustering import build_submodels, choose_regime
from ._embeddings import DEFAULT_ENCODER, Encoder, encode_cached, ensure_fitted, get_encoder
from ._preprocess import ItalianPreprocessor, normalize_text
from ._provenance import corpus_hash, library_versions
from .errors import NotFittedError
from .types import OUTLIER, Assignment, DocAssignment, ObjectiveSpec, RunInfo, Theme, ThemeResult

__all__ = ["Progress", "ThemeModel"]

log = logging.getLogger(__name__)

Progress = Callable[[str, float], None]


def _noop(stage: str, fraction: float) -> None:
    """Ignore progress."""


def _collapse(texts: Sequence[str]) -> tuple[list[int], np.ndarray]:
    """Return first indices of unique texts and the inverse map of every text."""
    first: dict[str, int] = {}
    inverse = np.empty(len(texts), dtype=int)
    uniques: list[int] = []
    for i, text in enumerate(texts):
        key = normalize_text(text)
        if key not in first:
            first[key] = len(uniques)
            uniques.append(i)
        inverse[i] = first[key]
    return uniques, inverse


class ThemeModel:
    """Fit themes on proposals, map them to objectives, assign new proposals."""

    def __init__(
        self,
        *,
        encoder: Encoder | str | None = None,
        objectives: Sequence[ObjectiveSpec] = (),
        seed: int = 42,
        small_threshold: int = 400,
        large_threshold: int = 5000,
        min_topic_size: int | None = None,
        preprocessor: ItalianPreprocessor | None = None,
        cache: Any = None,
        threads: int = 1,
        fast_encoder: Encoder | str | None = None,
    ) -> None:
        if encoder is None or isinstance(encoder, str):
            encoder = get_encoder(encoder or DEFAULT_ENCODER, threads=threads)
        if isinstance(fast_encoder, str):
            fast_encoder = get_encoder(fast_encoder, threads=threads)
        self.encoder = encoder
        self.fast_encoder = fast_encoder
        self.fast: ThemeModel | None = None
        self.objectives = list(objectives)
        self.seed = seed
        self.small_threshold = small_threshold
        self.large_threshold = large_threshold
        self.min_topic_size = min_topic_size
        self._preprocessor = preprocessor
        self.cache = cache
        self.mapper: Any = None
        self.theme_ids = np.zeros(0, dtype=int)
        self.centroids = np.zeros((0, 0), dtype=np.float32)
        self.assign_threshold = 0.0
        self.temperature = 0.05
        self.result: ThemeResult | None = None
        self.saved_themes: list[dict[str, Any]] = []
        self.run_record: dict[str, Any] | None = None
        self.supervised = False

    @property
    def preprocessor(self) -> ItalianPreprocessor:
        """Return the (lazily built) Italian preprocessor."""
        if self._preprocessor is None:
            self._preprocessor = ItalianPreprocessor()
        return self._preprocessor

    def params(self) -> dict[str, Any]:
        """Return the parameters recorded with each run."""
        return {
            "small_threshold": self.small_threshold,
            "large_threshold": self.large_threshold,
            "min_topic_size": self.min_topic_size,
            "lemmatizer": self.preprocessor.lemmatizer,
        }

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Encode texts through the cache hook."""
        return encode_cached(self.encoder, list(texts), self.cache)

    def fit(
        self,
        texts: Sequence[str],
        *,
        embeddings: np.ndarray | None = None,
        labels: dict[int, str] | None = None,
        progress: Progress | None = None,
    ) -> ThemeResult:
        """Find themes in texts, learning objectives from confirmed `labels` {index: code}.

        Embeddings may be precomputed (one row per text).
        """
        progress = progress or _noop
        timings: dict[str, float] = {}
        texts = list(texts)
        if len(texts) < 3:
            raise ValueError("theme modelling needs at least 3 texts")
        uniq, inverse = _collapse(texts)
        utexts = [texts[i] for i in uniq]
        progress("preprocess", 0.0)
        t0 = time.perf_counter()
        lemmas = self.preprocessor.lemmatize_many(utexts)
        timings["preprocess"] = time.perf_counter() - t0
        progress("embed", 0.15)
        t0 = time.perf_counter()
        ensure_fitted(self.encoder, utexts)
        if embeddings is None:
            vectors = self.embed(utexts)
        else:
            vectors = np.asarray(embeddings, dtype=np.float32)[uniq]
        timings["embed"] = time.perf_counter() - t0
        counts = np.bincount(inverse, minlength=len(uniq))
        topics, keywords, regime = self._fit_topics(lemmas, vectors, timings, progress)
        progress("assign", 0.85)
        result = self._build_result(texts, inverse, counts, vectors, topics, keywords)
        result.run = RunInfo(
            corpus_hash=corpus_hash(texts),
            n_documents=len(texts),
            n_unique=len(uniq),
            encoder=self.encoder.name,
            regime=regime,
            seed=self.seed,
            params=self.params(),
            versions=library_versions(),
            timings=timings,
        )
        self._map_objectives(result, vectors, inverse, labels or {}, timings)
        if self.fast_encoder is not None:
            from ._fast import fit_fast_head

            t0 = time.perf_counter()
            self.fast = fit_fast_head(self, utexts, topics, labels or {}, inverse)
            timings["fast_head"] = time.perf_counter() - t0
        self.result = result
        progress("done", 1.0)
        return result

    def _fit_topics(self, lemmas, vectors, timings, progress):
        """Run BERTopic with fresh sub-models; return topics, keywords and regime."""
        regime = choose_regime(
            len(lemmas),
            small_threshold=self.small_threshold,
            large_threshold=self.large_threshold,
        )
        progress("cluster", 0.3)
        t0 = time.perf_counter()
        reducer, clusterer = build_submodels(
            regime, seed=self.seed, min_topic_size=self.min_topic_size
        )
        topic_model = _represent.new_bertopic(self.encoder, reducer, clusterer, len(lemmas))
        with warnings.catch_warnings():
            # A seeded UMAP runs single-threaded by design: reproducibility over speed.
            warnings.filterwarnings("ignore", message="n_jobs value", category=UserWarning)
            topics = np.asarray(topic_model.fit_transform(lemmas, embeddings=vectors)[0])
        timings["cluster"] = time.perf_counter() - t0
        progress("outliers", 0.6)
        t0 = time.perf_counter()
        topics = _represent.reduce_outliers(topics, vectors)
        timings["outliers"] = time.perf_counter() - t0
        progress("represent", 0.7)
        t0 = time.perf_counter()
        keywords = _represent.relabel(topic_model, lemmas, topics, self.encoder)
        timings["represent"] = time.perf_counter() - t0
        log.info("themes: regime=%s themes=%d", regime.name, len(keywords))
        return topics, keywords, regime.name

    def _build_result(self, texts, inverse, counts, vectors, topics, keywords) -> ThemeResult:
        """Compute centroids, probabilities and expand duplicates back."""
        ids = np.array(sorted(keywords), dtype=int)
        sims = self.set_themes(vectors, topics, ids)
        cents = self.centroids
        probs = _represent.soft(sims, self.temperature)
        docs = [
            DocAssignment(int(topics[u]), _represent.top_probs(ids, probs[u], int(topics[u])))
            for u in inverse
        ]
        themes = []
        for j, tid in enumerate(ids):
            members = np.flatnonzero(topics == tid)
            reps = members[np.argsort(-sims[members, j])[:3]]
            first = [int(np.flatnonzero(inverse == r)[0]) for r in reps]
            words = keywords[int(tid)]
            themes.append(
                Theme(
                    id=int(tid),
                    label=_represent.label(words),
                    keywords=words,
                    size=int(counts[members].sum()),
                    representative_docs=first,
                    centroid=cents[j],
                )
            )
        outliers = sum(1 for d in docs if d.theme == OUTLIER)
        return ThemeResult(themes, docs, outliers / max(1, len(docs)), run=None)  # type: ignore[arg-type]

    def set_themes(self, vectors: np.ndarray, topics: np.ndarray, ids: np.ndarray) -> np.ndarray:
        """Set centroids and assignment scale from members' vectors; return doc-centroid sims."""
        cents = _represent.centroids(vectors, topics, ids)
        sims = vectors @ cents.T if len(ids) else np.zeros((len(vectors), 0))
        self.theme_ids, self.centroids = ids, cents
        self.temperature = _represent.temperature(sims)
        self.assign_threshold = _represent.assign_threshold(sims, topics, ids)
        return sims

    def _map_objectives(self, result, vectors, inverse, labels, timings) -> None:
        """Attach objectives to themes and documents when a framework is given."""
        if not self.objectives:
            return
        from ._objectives import ObjectiveMapper

        t0 = time.perf_counter()
        if self.mapper is None:
            self.mapper = ObjectiveMapper(self.objectives, encoder=self.encoder)
            self.mapper.calibrate(vectors)
        if labels:
            rows = sorted(labels)
            self.supervised = self.mapper.fit_labels(
                vectors[inverse[rows]], [labels[i] for i in rows]
            )
        result.run.params["confirmed_labels"] = len(labels)
        result.run.params["supervised"] = self.supervised
        doc_matches = self.mapper.match_vectors(vectors)
        for i, doc in enumerate(result.documents):
            doc.objectives = doc_matches[inverse[i]]
        if result.themes:
            theme_matches = self.mapper.match_vectors(self.centroids)
            for theme, matches in zip(result.themes, theme_matches, strict=True):
                theme.objectives = matches
        timings["objectives"] = time.perf_counter() - t0

    def assign(self, texts: Sequence[str], *, fast: bool = False) -> list[Assignment]:
        """Assign new texts to current themes and objectives without refitting.

        `fast` uses the fast encoder's head when the model has one (see fast_encoder).
        """
        if fast and self.fast is not None:
            return self.fast.assign(texts)
        if not len(self.theme_ids) and self.mapper is None:
            raise NotFittedError("fit() or load_model() the ThemeModel before assign()")
        vectors = self.embed(list(texts))
        return self.assign_vectors(vectors)

    def assign_vectors(self, vectors: np.ndarray) -> list[Assignment]:
        """Assign already-encoded texts to current themes and objectives."""
        sims = vectors @ self.centroids.T if len(self.theme_ids) else np.zeros((len(vectors), 0))
        probs = _represent.soft(sims, self.temperature)
        objectives = self.mapper.match_vectors(vectors) if self.mapper else [[]] * len(vectors)
        out = []
        for i in range(len(vectors)):
            if not len(self.theme_ids):
                out.append(Assignment(OUTLIER, 0.0, [], objectives[i]))
                continue
            j = int(np.argmax(sims[i]))
            theme = int(self.theme_ids[j]) if sims[i, j] >= self.assign_threshold else OUTLIER
            top = _represent.top_probs(self.theme_ids, probs[i], theme)
            out.append(Assignment(theme, float(probs[i, j]), top, objectives[i]))
        return out

    def confirm_objectives(self, texts: Sequence[str], labels: Sequence[str]) -> bool:
        """Learn from planner-confirmed objective labels; tell if the classifier is in use."""
        if self.mapper is None:
            raise NotFittedError("no objectives: build the ThemeModel with objectives=...")
        return self.mapper.fit_labels(self.embed(list(texts)), list(labels))

    def save(self, path: Any) -> Any:
        """Persist this fitted model (see nlp.save_model)."""
        from ._persistence import save_model

        return save_model(self, path)
