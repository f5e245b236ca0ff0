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
from ._preprocess import ItalianPreprocessor, clean_text, content_words, normalize_text
from ._provenance import corpus_hash, library_versions
from .errors import NotFittedError
from .types import (
    OFF_STRATEGY,
    OUTLIER,
    Assignment,
    DocAssignment,
    ObjectiveMatch,
    ObjectiveSpec,
    RunInfo,
    Theme,
    ThemeResult,
)

__all__ = ["Progress", "ThemeModel"]

log = logging.getLogger(__name__)

Progress = Callable[[str, float], None]

MIN_WORDS = 2  # fewer distinct content words (after cleaning): empty/garbage, not assigned
MIN_THEME = 8  # smallest theme a partition is split into


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
        self.theme_objectives: dict[int, str | None] = {}

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
        """Encode (cleaned) texts through the cache hook."""
        return encode_cached(self.encoder, [clean_text(t) for t in texts], self.cache)

    def fit(
        self,
        texts: Sequence[str],
        *,
        embeddings: np.ndarray | None = None,
        labels: dict[int, str] | None = None,
        progress: Progress | None = None,
    ) -> ThemeResult:
        """Find themes in texts, learning objectives from confirmed `labels` {index: code}.

        With objectives, every proposal first gets its best objective (calibrated), then
        themes are found inside each objective (and inside fuori-strategia), so each theme
        belongs to exactly one objective. Embeddings may be precomputed (one row per text).
        """
        progress = progress or _noop
        timings: dict[str, float] = {}
        texts = list(texts)
        if len(texts) < 3:
            raise ValueError("theme modelling needs at least 3 texts")
        progress("preprocess", 0.0)
        t0 = time.perf_counter()
        cleaned = [clean_text(t) for t in texts]
        uniq, inverse = _collapse(cleaned)
        utexts = [cleaned[i] for i in uniq]
        lemmas = self.preprocessor.lemmatize_many(utexts)
        garbage = np.array([content_words(t) < MIN_WORDS for t in utexts], dtype=bool)
        timings["preprocess"] = time.perf_counter() - t0
        progress("embed", 0.15)
        t0 = time.perf_counter()
        ensure_fitted(self.encoder, utexts)
        if embeddings is None:
            vectors = encode_cached(self.encoder, utexts, self.cache)
        else:
            vectors = np.asarray(embeddings, dtype=np.float32)[uniq]
        timings["embed"] = time.perf_counter() - t0
        counts = np.bincount(inverse, minlength=len(uniq))
        self._inverse = inverse
        self._garbage = garbage
        self._vectors = vectors
        self._utexts = utexts
        groups = self._classify(vectors, utexts, inverse, labels or {}, timings)
        progress("cluster", 0.3)
        topics, regime, group_of = self._cluster(
            lemmas, vectors, groups, garbage, timings, progress
        )
        progress("represent", 0.7)
        t0 = time.perf_counter()
        keywords = _represent.manual_keywords(self.encoder, lemmas, topics, vectors)
        timings["represent"] = time.perf_counter() - t0
        progress("assign", 0.85)
        t0 = time.perf_counter()
        result = self._build_result(
            texts, inverse, counts, vectors, topics, keywords, utexts, group_of
        )
        timings["name"] = time.perf_counter() - t0
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
        result.run.params["confirmed_labels"] = len(labels or {})
        result.run.params["supervised"] = self.supervised
        self.result = result
        self._apply_objectives(result)
        if self.fast_encoder is not None:
            from ._fast import fit_fast_head

            t0 = time.perf_counter()
            self.fast = fit_fast_head(self, utexts, topics, labels or {}, inverse)
            timings["fast_head"] = time.perf_counter() - t0
        progress("done", 1.0)
        return result

    # ----- objectives --------------------------------------------------------------------
    def _classify(self, vectors, utexts, inverse, labels, timings) -> np.ndarray | None:
        """Fit the objective classifier on the corpus; return each unique text's class."""
        if not self.objectives:
            return None
        from ._classifier import ObjectiveClassifier

        t0 = time.perf_counter()
        if not isinstance(self.mapper, ObjectiveClassifier):
            self.mapper = ObjectiveClassifier(
                self.objectives, encoder=self.encoder, cache=self.cache
            )
        ulabels = {int(inverse[i]): code for i, code in labels.items()}
        self.mapper.fit(vectors, ulabels, texts=utexts)
        self.supervised = self.mapper.lr is not None
        timings["objectives"] = time.perf_counter() - t0
        return self.mapper.corpus_probabilities().argmax(axis=1)

    def refit_objectives(self, labels: dict[int, str]) -> ThemeResult:
        """Learn confirmed labels {original index: code} in seconds; themes stay as they are.

        Only the objective classifier is refitted (no embedding, clustering or naming);
        documents get new objectives/confidences and each theme the objective most of its
        members now have.
        """
        from ._classifier import ObjectiveClassifier

        if self.result is None or not isinstance(self.mapper, ObjectiveClassifier):
            raise NotFittedError("fit() the ThemeModel with objectives before refit_objectives()")
        if self.mapper.X is None:
            raise NotFittedError("a loaded model cannot refit: fit() it on the corpus again")
        ulabels = {int(self._inverse[i]): code for i, code in labels.items()}
        self.mapper.refit(ulabels)
        self.supervised = self.mapper.lr is not None
        self._apply_objectives(self.result, vote=True)
        return self.result

    def _apply_objectives(self, result: ThemeResult, *, vote: bool = False) -> None:
        """Set documents' objectives from the classifier and themes' single objective."""
        from ._classifier import ObjectiveClassifier

        if not isinstance(self.mapper, ObjectiveClassifier):
            return
        P = self.mapper.corpus_probabilities()
        decisions: list[tuple[str | None, float, list[ObjectiveMatch], bool]] = []
        for u in range(len(P)):
            if self._garbage[u]:
                decisions.append((None, 0.0, [], False))
            else:
                decisions.append(self.mapper.decide(P[u]))
        for i, doc in enumerate(result.documents):
            code, conf, matches, review = decisions[self._inverse[i]]
            doc.objective, doc.confidence, doc.needs_review = code, round(conf, 4), review
            doc.objectives = list(matches)
            doc.secondary = [m.code for m in matches[1:]]
        classes = self.mapper.classes
        for theme in result.themes:
            rows = np.unique(self._inverse[result.members(theme.id)])
            rows = rows[~self._garbage[rows]]
            if not len(rows):
                continue
            if vote or theme.objective is None:
                mean = P[rows].mean(axis=0)
                theme.objective = classes[int(np.argmax(mean))]
            j = classes.index(theme.objective)
            theme.objectives = [ObjectiveMatch(theme.objective, round(float(P[rows, j].mean()), 4))]
        self.theme_objectives = {t.id: t.objective for t in result.themes}

    # ----- clustering --------------------------------------------------------------------
    def _cluster(self, lemmas, vectors, groups, garbage, timings, progress):
        """Return topics (unique rows), regime name and {theme id: objective or None}."""
        t0 = time.perf_counter()
        topics = np.full(len(lemmas), OUTLIER, dtype=int)
        group_of: dict[int, str | None] = {}
        if groups is None:
            idx = np.flatnonzero(~garbage)
            if len(idx) < 3:
                topics[idx] = 0
                return topics, "small", {0: None}
            local, regime = self._fit_topics([lemmas[i] for i in idx], vectors[idx], timings)
            topics[idx] = local
            for t in set(local.tolist()) - {OUTLIER}:
                group_of[int(t)] = None
            timings["cluster"] = time.perf_counter() - t0
            return topics, regime, group_of
        classes = self.mapper.classes
        offset = 0
        for c, code in enumerate(classes):
            idx = np.flatnonzero((groups == c) & ~garbage)
            if not len(idx):
                continue
            if code == OFF_STRATEGY and len(idx) >= 4 * MIN_THEME:
                # Emerging needs share no objective: cluster them like a corpus without
                # a framework (BERTopic with the size-adapted sub-models).
                local, _ = self._fit_topics([lemmas[i] for i in idx], vectors[idx], timings)
            else:
                local = self._partition(vectors[idx])
            for t in sorted(set(local.tolist()) - {OUTLIER}):
                topics[idx[local == t]] = offset
                group_of[offset] = code
                offset += 1
        timings["cluster"] = time.perf_counter() - t0
        return topics, "nested", group_of

    def _partition(self, vectors: np.ndarray) -> np.ndarray:
        """Split one objective's proposals into themes (centred PCA + silhouette KMeans)."""
        from ._clustering import CenteredPCA, SilhouetteKMeans

        n = len(vectors)
        top = min(20, n // (2 * MIN_THEME) + 1, n // MIN_THEME)
        if top < 2:
            return np.zeros(n, dtype=int)
        reducer = CenteredPCA(n_components=max(2, min(32, n // 4)), seed=self.seed)
        clusterer = SilhouetteKMeans(
            k_values=list(range(2, top + 1)), seed=self.seed, minibatch=n > 5000
        )
        Z = reducer.fit_transform(vectors)
        labels = clusterer.fit(Z).labels_
        # Themes smaller than MIN_THEME join their nearest sibling.
        sizes = np.bincount(labels)
        small = [k for k in range(len(sizes)) if 0 < sizes[k] < MIN_THEME]
        if small and len(small) < len(sizes):
            big = [k for k in range(len(sizes)) if sizes[k] >= MIN_THEME]
            cents = _represent.centroids(Z, labels, np.array(big))
            for k in small:
                rows = np.flatnonzero(labels == k)
                labels[rows] = np.array(big)[np.argmax(Z[rows] @ cents.T, axis=1)]
        _, labels = np.unique(labels, return_inverse=True)
        return labels.astype(int)

    def _fit_topics(self, lemmas, vectors, timings):
        """Run BERTopic with fresh sub-models; return topics and regime (no framework)."""
        regime = choose_regime(
            len(lemmas),
            small_threshold=self.small_threshold,
            large_threshold=self.large_threshold,
        )
        reducer, clusterer = build_submodels(
            regime, seed=self.seed, min_topic_size=self.min_topic_size
        )
        topic_model = _represent.new_bertopic(self.encoder, reducer, clusterer, len(lemmas))
        with warnings.catch_warnings():
            # A seeded UMAP runs single-threaded by design: reproducibility over speed.
            warnings.filterwarnings("ignore", message="n_jobs value", category=UserWarning)
            topics = np.asarray(topic_model.fit_transform(lemmas, embeddings=vectors)[0])
        t0 = time.perf_counter()
        topics = _represent.reduce_outliers(topics, vectors)
        timings["outliers"] = time.perf_counter() - t0
        log.info("themes: regime=%s themes=%d", regime.name, len(set(topics.tolist()) - {-1}))
        return topics, regime.name

    def _build_result(
        self, texts, inverse, counts, vectors, topics, keywords, utexts, group_of
    ) -> ThemeResult:
        """Compute centroids, probabilities, names, coherence; expand duplicates back."""
        from ._naming import Namer, theme_coherence

        ids = np.array(sorted(keywords), dtype=int)
        sims = self.set_themes(vectors, topics, ids)
        cents = self.centroids
        probs = _represent.soft(sims, self.temperature)
        docs = [
            DocAssignment(int(topics[u]), _represent.top_probs(ids, probs[u], int(topics[u])))
            for u in inverse
        ]
        namer = Namer(self.preprocessor, utexts)
        mu = vectors.mean(axis=0)
        Xc = vectors - mu
        Xc = Xc / np.maximum(np.linalg.norm(Xc, axis=1, keepdims=True), 1e-12)
        quality = theme_coherence(Xc, topics, [int(t) for t in ids], group_of)
        values = [q[0] for q in quality.values()]
        floor = max(0.02, 0.5 * float(np.median(values))) if values else 0.0
        themes = []
        used: set[str] = set()
        order = sorted(range(len(ids)), key=lambda j: -int(counts[topics == ids[j]].sum()))
        built: dict[int, Theme] = {}
        for j in order:
            tid = ids[j]
            members = np.flatnonzero(topics == tid)
            ranked = members[np.argsort(-sims[members, j])]
            reps = ranked[:3]
            first = [int(np.flatnonzero(inverse == r)[0]) for r in reps]
            words = keywords[int(tid)]
            name, fallback = namer.name(list(ranked), words, central=int(ranked[0]), used=used)
            used.add(name.casefold())
            coherence, intrusion = quality[int(tid)]
            built[j] = Theme(
                id=int(tid),
                label=name,
                keywords=namer.surface_keywords(list(members), words) or words,
                size=int(counts[members].sum()),
                representative_docs=first,
                centroid=cents[j],
                objective=group_of.get(int(tid)),
                name=name,
                name_fallback=fallback,
                coherence=coherence,
                intrusion=intrusion,
                flagged=bool(len(members) >= 3 and (coherence < floor or intrusion > 0.5)),
            )
        themes = [built[j] for j in range(len(ids))]
        self.theme_objectives = {t.id: t.objective for t in themes}
        self._namer = namer
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

    def assign(self, texts: Sequence[str], *, fast: bool = False) -> list[Assignment]:
        """Assign new texts to current themes and objectives without refitting.

        `fast` uses the fast encoder's head when the model has one (see fast_encoder).
        """
        if fast and self.fast is not None:
            return self.fast.assign(texts)
        if not len(self.theme_ids) and self.mapper is None:
            raise NotFittedError("fit() or load_model() the ThemeModel before assign()")
        vectors = self.embed(list(texts))
        return self.assign_vectors(vectors, list(texts))

    def assign_vectors(
        self, vectors: np.ndarray, texts: Sequence[str] | None = None
    ) -> list[Assignment]:
        """Assign already-encoded texts to current themes and objectives.

        With the objective classifier a text joins the nearest theme of its best objective.
        """
        from ._classifier import ObjectiveClassifier

        sims = vectors @ self.centroids.T if len(self.theme_ids) else np.zeros((len(vectors), 0))
        probs = _represent.soft(sims, self.temperature)
        calibrated = isinstance(self.mapper, ObjectiveClassifier)
        if calibrated:
            P = self.mapper.probabilities(
                vectors, [clean_text(t) for t in texts] if texts is not None else None
            )
            decisions = [self.mapper.decide(r) for r in P]
        objectives = (
            [d[2] for d in decisions]
            if calibrated
            else (self.mapper.match_vectors(vectors) if self.mapper else [[]] * len(vectors))
        )
        tobj = getattr(self, "theme_objectives", {}) or {}
        out = []
        for i in range(len(vectors)):
            garbage = texts is not None and content_words(clean_text(texts[i])) < MIN_WORDS
            code, conf, review = (None, 0.0, False)
            if calibrated and not garbage:
                code, conf, _, review = decisions[i]
            if garbage:
                out.append(Assignment(OUTLIER, 0.0, [], [], None, 0.0, False))
                continue
            if not len(self.theme_ids):
                out.append(Assignment(OUTLIER, 0.0, [], objectives[i], code, conf, review))
                continue
            allowed = np.ones(len(self.theme_ids), dtype=bool)
            if calibrated and tobj:
                own = np.array([tobj.get(int(t)) == code for t in self.theme_ids])
                if own.any():
                    allowed = own
            row = np.where(allowed, sims[i], -np.inf)
            j = int(np.argmax(row))
            theme = int(self.theme_ids[j]) if sims[i, j] >= self.assign_threshold else OUTLIER
            top = _represent.top_probs(self.theme_ids, probs[i], theme)
            out.append(
                Assignment(
                    theme, float(probs[i, j]), top, objectives[i], code, round(conf, 4), review
                )
            )
        return out

    def confirm_objectives(self, texts: Sequence[str], labels: Sequence[str]) -> bool:
        """Learn planner-confirmed labels of corpus texts (fast refit); tell if supervised.

        Texts are matched to the fitted corpus by their normalised form; unknown texts
        are ignored (the classifier is transductive: refit the model to include them).
        """
        from ._classifier import ObjectiveClassifier

        if self.mapper is None:
            raise NotFittedError("no objectives: build the ThemeModel with objectives=...")
        if not isinstance(self.mapper, ObjectiveClassifier):
            return self.mapper.fit_labels(self.embed(list(texts)), list(labels))
        if self.mapper.X is None:
            raise NotFittedError("a loaded model cannot learn labels: fit() it again")
        row_of = {normalize_text(t): u for u, t in enumerate(self._utexts)}
        first: dict[int, int] = {}
        for i, u in enumerate(self._inverse):
            first.setdefault(int(u), i)
        found = {}
        for text, code in zip(texts, labels, strict=True):
            u = row_of.get(normalize_text(clean_text(text)))
            if u is not None:
                found[first[u]] = code
        self.refit_objectives(found)
        return self.supervised

    def explain(self, item: int | str) -> Any:
        """Explain the objective of a corpus index (original numbering) or of a new text."""
        from ._classifier import ObjectiveClassifier

        if not isinstance(self.mapper, ObjectiveClassifier):
            raise NotFittedError("explain() needs a ThemeModel fitted with objectives")
        if isinstance(item, str):
            return self.mapper.explain(clean_text(item))
        return self.mapper.explain(int(self._inverse[item]), texts=self._utexts)
