"""Calibrated objective classifier: prototypes + seeds, transductive self-training, fast refit.

How a confidence is produced (every step works on embeddings already computed):

1. **Zero-shot prior** `z0`: the ObjectiveMapper's calibrated similarity to each objective's
   wording (title, description, keywords) and to the fuori-strategia reference topics.
2. **Seeds** `zs`: similarity to the framework's example proposals (`ObjectiveSpec.examples`)
   in the corpus-centred space, standardised over the corpus the same way.
3. **Transductive self-training** (a semi-supervised von Mises-Fisher mixture): class
   centroids are re-estimated from the corpus documents weighted by their current class
   probabilities, plus seeds and confirmed proposals (clamped to their label, weighted more);
   a few rounds let the corpus's own structure sharpen the objectives.
4. **Label propagation**: each document's probabilities are mixed with those of its 10
   nearest neighbours (the neighbour graph is built once at fit time).
5. With confirmed labels, a **logistic regression** on the centred embeddings (confirmed
   proposals plus seeds) is blended in, with a weight growing with the number of labels.
6. **Temperature scaling**: confidence = softmax(log p / T). T was chosen once on the
   development corpus (DEFAULT_TEMPERATURE, see docs/nlp.md) and, once planners have
   confirmed >= MIN_CALIBRATION labels, is re-fitted by cross-validation on those labels
   (out-of-fold NLL), shrunk towards the default.

`refit(labels)` repeats steps 3-6 only: no embeddings, clusters or graph are recomputed.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ._embeddings import EmbeddingCache, Encoder, encode_cached
from ._objectives import OFF_TOPICS, ObjectiveMapper, _prototypes
from .errors import NotFittedError
from .types import OFF_STRATEGY, Explanation, ObjectiveMatch, ObjectiveSpec

if TYPE_CHECKING:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

__all__ = ["DEFAULT_TEMPERATURE", "ObjectiveClassifier"]

log = logging.getLogger(__name__)

DEFAULT_TEMPERATURE = 0.6  # ECE-optimal on the 304 development proposals, 20 seeds (docs/nlp.md)
MIN_CALIBRATION = 40
SEED_WEIGHT = 3.0  # a seed counts as much as 3 corpus documents in the centroids
LABEL_WEIGHT = 10.0  # a confirmed proposal as much as 10
EM_ROUNDS = 4
NEIGHBOURS = 10
MIN_LEXICAL = 100  # self-training needs a corpus; below this the prior + EM decide
# Secondary objectives. The softmax shares one unit of probability among exclusive classes, so
# a runner-up's p understates how likely it is that the objective *also* applies: on the
# multi-objective realistic set a runner-up at p 0.2-0.3 was a gold objective 89 % of the time.
# Its membership confidence is p ** SECONDARY_POWER (0.5: NLL-optimal on the realistic set,
# docs/nlp.md); a runner-up is a secondary when p >= SECONDARY_MIN and >= SECONDARY_RATIO x
# the best one's p (chosen on the development and realistic sets, checked on held-out ones).
SECONDARY_MIN = 0.15
SECONDARY_RATIO = 0.25
SECONDARY_POWER = 0.5


def _unit(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    return x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-12)


def _char_vectorizer(vocabulary: list[str] | None = None) -> TfidfVectorizer:
    """Return the character 3-5-gram TF-IDF of the lexical view."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=(3, 5),
        sublinear_tf=True,
        min_df=2,
        max_features=60_000,
        lowercase=True,
        vocabulary=vocabulary,
        dtype=np.float32,
    )


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


class ObjectiveClassifier:
    """Best objective (always, unless off-strategy), calibrated confidence, secondaries."""

    def __init__(
        self,
        objectives: Sequence[ObjectiveSpec],
        *,
        encoder: Encoder,
        off_topics: Sequence[str] = OFF_TOPICS,
        review_threshold: float = 0.6,
        secondary_ratio: float = SECONDARY_RATIO,
        secondary_min: float = SECONDARY_MIN,
        secondary_power: float = SECONDARY_POWER,
        prior_weight: float = 1.0,
        seed_weight: float = 1.0,
        centroid_weight: float = 3.0,
        smoothing: float = 0.5,
        temperature: float = DEFAULT_TEMPERATURE,
        lexical_weight: float = 0.85,
        lexical_C: float = 4.0,
        embed_scale: float = 1.0,
        pseudo_quantile: float = 0.5,
        pseudo_cap: int = 400,
        st_rounds: int = 4,
        balanced: bool = True,
        pseudo_share: float = 0.6,
        cache: EmbeddingCache | None = None,
    ) -> None:
        if not objectives:
            raise ValueError("ObjectiveClassifier needs at least one objective")
        self.specs = list(objectives)
        self.codes = [o.code for o in self.specs]
        self.classes = [*self.codes, OFF_STRATEGY]
        self.encoder = encoder
        self.mapper = ObjectiveMapper(
            self.specs, encoder=encoder, off_topics=off_topics, cache=cache
        )
        self.review_threshold = review_threshold
        self.secondary_ratio = secondary_ratio
        self.secondary_min = secondary_min
        self.secondary_power = secondary_power
        self.prior_weight = prior_weight
        self.seed_weight = seed_weight
        self.centroid_weight = centroid_weight
        self.smoothing = smoothing
        self.default_temperature = temperature
        self.temperature = temperature
        self.lexical_weight = lexical_weight
        self.lexical_C = lexical_C
        self.embed_scale = embed_scale
        self.pseudo_quantile = pseudo_quantile
        self.pseudo_cap = pseudo_cap
        self.st_rounds = st_rounds
        self.balanced = balanced
        self.pseudo_share = pseudo_share
        # Lexical view (sparse char n-gram TF-IDF of the corpus and of seeds + wording).
        self.Z: Any = None
        self.Zseed: Any = None
        self.vectorizer: TfidfVectorizer | None = None
        self.st_model: LogisticRegression | None = None
        self._st_arrays: tuple[np.ndarray, np.ndarray] | None = None  # a loaded st model
        self.lr: tuple[np.ndarray, np.ndarray] | None = None
        self.Pst: np.ndarray | None = None
        # Wording (for explain) and seeds.
        self.wording: list[tuple[int, str]] = []
        for j, spec in enumerate(self.specs):
            self.wording += [(j, t) for t in _prototypes(spec)]
        self.wording += [(len(self.codes), t) for t in off_topics]
        self.seed_texts: list[str] = []
        seed_y: list[int] = []
        for j, spec in enumerate(self.specs):
            self.seed_texts += list(spec.examples)
            seed_y += [j] * len(spec.examples)
        self.seed_texts += list(off_topics)
        seed_y += [len(self.codes)] * len(off_topics)
        self.seed_y = np.array(seed_y, dtype=int)
        self.seed_vectors = _unit(encode_cached(encoder, self.seed_texts, cache))
        self.wording_vectors = self.mapper.proto_vectors
        self.labels: dict[int, str] = {}
        self.mu = np.zeros(self.seed_vectors.shape[1], dtype=np.float32)
        self.X: np.ndarray | None = None
        self.Xc: np.ndarray | None = None
        self.P: np.ndarray | None = None
        self.logp: np.ndarray | None = None

    # ----- pieces -------------------------------------------------------------------------
    def _center(self, vectors: np.ndarray) -> np.ndarray:
        return _unit(_unit(vectors) - self.mu)

    def _seed_raw(self, Xc: np.ndarray) -> np.ndarray:
        """Return (n, m+1) mean of the two most similar seeds of each class."""
        S = Xc @ self._seeds_c.T
        out = np.full((len(Xc), len(self.classes)), -1.0, dtype=np.float32)
        for j in range(len(self.classes)):
            cols = S[:, self.seed_y == j]
            if cols.shape[1] == 0:
                continue
            k = min(2, cols.shape[1])
            top = -np.sort(-cols, axis=1)[:, :k]
            out[:, j] = top.mean(axis=1)
        return out

    def _prior(self, vectors: np.ndarray, Xc: np.ndarray) -> np.ndarray:
        """Return the zero-shot prior logits (wording + seeds) of vectors."""
        z0 = self.mapper.zscores(_unit(vectors))
        zs = (self._seed_raw(Xc) - self._seed_bias) / self._seed_scale
        has = np.array([(self.seed_y == j).sum() >= 2 for j in range(len(self.classes))])
        zs[:, ~has] = 0.0
        return self.prior_weight * z0 + self.seed_weight * zs

    # ----- fitting ------------------------------------------------------------------------
    def fit(
        self,
        vectors: np.ndarray,
        labels: dict[int, str] | None = None,
        *,
        texts: Sequence[str] | None = None,
    ) -> ObjectiveClassifier:
        """Learn from the whole corpus (transductive) and the confirmed labels {index: code}.

        `texts` (cleaned, one per vector) add the lexical view used by self-training
        (character n-grams: robust to typos, plurals and dialect spellings).
        """
        X = _unit(np.asarray(vectors, dtype=np.float32))
        self._lexical(texts)
        self.mapper.calibrate(X)
        self.mu = X.mean(axis=0) if len(X) >= 10 else np.zeros(X.shape[1], np.float32)
        Xc = self._center(X)
        self._seeds_c = self._center(self.seed_vectors)
        self._wording_c = self._center(self.wording_vectors)
        raw = self._seed_raw(Xc)
        self._seed_bias = np.median(raw, axis=0)
        self._seed_scale = float(max(np.std(raw - self._seed_bias), 1e-3))
        self.X, self.Xc = X, Xc
        self.L0 = self._prior(X, Xc)
        self.graph = self._knn(Xc)
        self.labels = {}
        self.Pst = None
        return self.refit(labels or {}, full=True)

    def _lexical(self, texts: Sequence[str] | None) -> None:
        """Build the self-training feature space: char n-gram TF-IDF (+ centred embeddings)."""
        self.vectorizer = None
        self.Z = self.Zseed = None
        if texts is None or len(texts) < MIN_LEXICAL or not self.lexical_weight:
            return
        vec = _char_vectorizer()
        self.Z = vec.fit_transform(list(texts))
        self.Zseed = vec.transform(self.seed_texts + [t for _, t in self.wording])
        self.vectorizer = vec

    def _features(self, Z, Xc: np.ndarray):
        from scipy import sparse

        return sparse.hstack([Z, sparse.csr_matrix(Xc * self.embed_scale)]).tocsr()

    def _self_train(self, P: np.ndarray, rows: np.ndarray, ys: np.ndarray) -> np.ndarray:
        """Co-training round: fit a linear model on confident pseudo-labels; return its probs."""
        from sklearn.linear_model import LogisticRegression

        if self.Xc is None:
            raise NotFittedError("fit() the classifier on a corpus first")
        m = len(self.classes)
        F = self._features(self.Z, self.Xc)
        wy = np.array([o for o, _ in self.wording], dtype=int)
        Fs = self._features(self.Zseed, np.vstack([self._seeds_c, self._wording_c]))
        y = P.argmax(axis=1)
        conf = P.max(axis=1)
        chosen: list[np.ndarray] = []
        n = len(P)
        second = np.argsort(-P, axis=1)[:, :2]
        for c in range(m):
            if self.balanced and c < m - 1:
                # Class-balanced: the documents most typical of c among those ranking it
                # first or second, so an objective the wording describes weakly still
                # gets examples.
                cand = np.flatnonzero((second == c).any(axis=1))
                k = int(min(self.pseudo_cap, max(3, self.pseudo_share * n / (m - 1))))
                idx = cand[np.argsort(-P[cand, c])[:k]]
            else:
                idx = np.flatnonzero(y == c)
                if not len(idx):
                    continue
                idx = idx[conf[idx] >= np.quantile(conf[idx], self.pseudo_quantile)]
                idx = idx[np.argsort(-conf[idx])[: self.pseudo_cap]]
            chosen.append(idx)
        yl: np.ndarray | list[int] = (
            np.concatenate([np.full(len(c), j) for j, c in enumerate(chosen)]) if chosen else []
        )
        pseudo = np.concatenate(chosen) if chosen else np.zeros(0, dtype=int)
        yp = np.asarray(yl, dtype=int)
        if not self.balanced:
            yp = y[pseudo]
        keep = ~np.isin(pseudo, rows)
        pseudo, yp = pseudo[keep], yp[keep]
        # one label per document: keep the class where it is most probable
        order = np.argsort(-P[pseudo, yp])
        _, first = np.unique(pseudo[order], return_index=True)
        pseudo, yp = pseudo[order][first], yp[order][first]
        from scipy import sparse

        train = (
            sparse.vstack([F[pseudo], Fs, F[rows]]) if len(rows) else sparse.vstack([F[pseudo], Fs])
        )
        yt = np.concatenate([yp, self.seed_y, wy, ys])
        wt = np.concatenate(
            [
                P[pseudo, yp],
                np.full(len(self.seed_y), 2.0),
                np.full(len(wy), 1.0),
                np.full(len(rows), 5.0),
            ]
        )
        model = LogisticRegression(C=self.lexical_C, max_iter=200)
        model.fit(train, yt, sample_weight=wt)
        out = np.full((F.shape[0], m), 1e-6, dtype=np.float32)
        out[:, model.classes_] = model.predict_proba(F)
        self.st_model = model
        return out / out.sum(axis=1, keepdims=True)

    def _knn(self, Xc: np.ndarray) -> np.ndarray:
        """Return (n, k) indices of each document's nearest neighbours (itself excluded)."""
        n = len(Xc)
        k = min(NEIGHBOURS, n - 1)
        if k < 1:
            return np.zeros((n, 0), dtype=int)
        out = np.empty((n, k), dtype=int)
        for a in range(0, n, 2048):
            S = Xc[a : a + 2048] @ Xc.T
            S[np.arange(len(S)), np.arange(a, a + len(S))] = -np.inf
            part = np.argpartition(-S, k - 1, axis=1)[:, :k]
            out[a : a + 2048] = part
        return out

    def _label_arrays(self, labels: dict[int, str]) -> tuple[np.ndarray, np.ndarray]:
        rows = np.array([i for i, c in labels.items() if c in self.classes], dtype=int)
        ys = np.array([self.classes.index(labels[i]) for i in rows], dtype=int)
        return rows, ys

    def refit(self, labels: dict[int, str], *, full: bool = False) -> ObjectiveClassifier:
        """Add (or replace) confirmed labels {corpus index: code} and refit.

        The fast path (default) re-estimates centroids, propagation, the supervised blend and
        the temperature, reusing the lexical self-training of the last full fit; `full=True`
        (what fit() does) also reruns self-training.
        """
        if self.X is None:
            raise RuntimeError("fit() the classifier on a corpus first")
        self.labels.update({int(i): c for i, c in labels.items()})
        rows, ys = self._label_arrays(self.labels)
        if full and self.Z is not None:
            self._run(rows, ys, self_train=True)  # sets self.Pst
        if len(rows) >= MIN_CALIBRATION:
            self.temperature = self._fit_temperature(rows, ys)
        else:
            self.temperature = self.default_temperature
        logp = self._run(rows, ys)
        self.logp = logp
        self.P = _softmax(logp / self.temperature)
        return self

    def _run(
        self,
        rows: np.ndarray,
        ys: np.ndarray,
        *,
        skip: np.ndarray | None = None,
        self_train: bool = False,
    ):
        """Self-training + propagation + supervised blend; return log-probabilities."""
        Xc, L0 = self.Xc, self.L0
        if Xc is None:
            raise NotFittedError("fit() the classifier on a corpus first")
        m = len(self.classes)
        if skip is not None:
            keep = ~np.isin(rows, skip)
            rows, ys = rows[keep], ys[keep]
        onehot = np.zeros((len(rows), m), dtype=np.float32)
        onehot[np.arange(len(rows)), ys] = 1.0
        seed_oh = np.zeros((len(self.seed_y), m), dtype=np.float32)
        seed_oh[np.arange(len(self.seed_y)), self.seed_y] = 1.0
        P = _softmax(L0)
        if len(rows):
            P[rows] = onehot
        logits = L0
        for _ in range(EM_ROUNDS):
            W = P.copy()
            if len(rows):
                W[rows] *= LABEL_WEIGHT
            C = W.T @ Xc + SEED_WEIGHT * (seed_oh.T @ self._seeds_c)
            C = _unit(C)
            S = Xc @ C.T
            if not hasattr(self, "_cscale") or skip is None:
                pass
            zc = (S - np.median(S, axis=0)) / max(float(np.std(S)), 1e-3)
            logits = L0 + self.centroid_weight * zc
            P = _softmax(logits)
            if len(rows):
                P[rows] = onehot
        self.C = C
        self._c_bias = np.median(S, axis=0)
        self._c_scale = max(float(np.std(S)), 1e-3)
        # Label propagation over the neighbour graph (labelled rows clamped).
        if self.graph.shape[1] and self.smoothing > 0:
            for _ in range(2):
                Q = P[self.graph].mean(axis=1)
                P = (1 - self.smoothing) * _softmax(logits) + self.smoothing * Q
                if len(rows):
                    P[rows] = 0.9 * onehot + 0.1 * P[rows]
        if self_train and self.Z is not None:
            for _ in range(self.st_rounds):
                Pl = self._self_train(P, rows, ys)
                P = np.exp(
                    (1 - self.lexical_weight) * np.log(np.clip(P, 1e-6, 1))
                    + self.lexical_weight * np.log(Pl)
                )
                P /= P.sum(axis=1, keepdims=True)
                if len(rows):
                    P[rows] = onehot
            self.Pst = Pl
            return None
        if self.Pst is not None:
            lam = 1 - (1 - self.lexical_weight) ** self.st_rounds
            P = np.exp((1 - lam) * np.log(np.clip(P, 1e-6, 1)) + lam * np.log(self.Pst))
            P /= P.sum(axis=1, keepdims=True)
            if len(rows):
                P[rows] = onehot
        logp = np.log(np.clip(P, 1e-6, 1.0))
        self.lr = None
        if len(rows) >= 4 and len(set(ys.tolist())) >= 2:
            self.lr = self._fit_lr(Xc[rows], ys)
            gamma = len(rows) / (len(rows) + 40.0)
            logp = logp + gamma * self._lr_logp(Xc)  # product of experts
            logp = logp - np.log(np.exp(logp).sum(axis=1, keepdims=True))
        if len(rows):
            # A confirmed label is the truth for its own proposal.
            logp[rows] = np.log(np.clip(0.98 * onehot + 0.02 / m, 1e-6, 1))
        return logp

    def _fit_lr(self, Xl: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        from sklearn.linear_model import LogisticRegression

        Xs = np.vstack([Xl, self._seeds_c])
        ys = np.concatenate([y, self.seed_y])
        w = np.concatenate([np.ones(len(y)), np.full(len(self.seed_y), 0.5)])
        model = LogisticRegression(C=1.0, max_iter=300)
        model.fit(Xs, ys, sample_weight=w)
        coef = np.zeros((len(self.classes), Xl.shape[1]), dtype=np.float32)
        bias = np.full(len(self.classes), -30.0, dtype=np.float32)
        seen = model.classes_
        if len(seen) == 2:
            coef[seen] = np.vstack([-model.coef_[0] / 2, model.coef_[0] / 2])
            bias[seen] = [-model.intercept_[0] / 2, model.intercept_[0] / 2]
        else:
            coef[seen], bias[seen] = model.coef_, model.intercept_
        return coef, bias

    def _lr_logp(self, Xc: np.ndarray) -> np.ndarray:
        if self.lr is None:
            raise NotFittedError("no supervised blend: refit() with confirmed labels first")
        coef, bias = self.lr
        z = Xc @ coef.T + bias
        z = z - z.max(axis=1, keepdims=True)
        return z - np.log(np.exp(z).sum(axis=1, keepdims=True))

    def _fit_temperature(self, rows: np.ndarray, ys: np.ndarray) -> float:
        """Fit T on out-of-fold predictions of confirmed labels; shrink towards the default."""
        rng = np.random.default_rng(0)
        folds = rng.permutation(len(rows)) % 4
        held = np.zeros((len(rows), len(self.classes)), dtype=np.float32)
        for f in range(4):
            out = rows[folds == f]
            lp = self._run(rows, ys, skip=out)
            held[folds == f] = lp[out]
        grid = np.exp(np.linspace(np.log(0.25), np.log(4.0), 41))
        nll = [-np.mean(np.log(_softmax(held / t)[np.arange(len(ys)), ys] + 1e-9)) for t in grid]
        fitted = float(grid[int(np.argmin(nll))])
        w = len(rows) / (len(rows) + 100.0)
        blended = float(np.exp(w * np.log(fitted) + (1 - w) * np.log(self.default_temperature)))
        # Queried proposals are chosen for being uncertain, not at random: their fit may
        # soften the default temperature but is not trusted to sharpen it.
        return max(blended, self.default_temperature)

    # ----- prediction ---------------------------------------------------------------------
    def corpus_probabilities(self) -> np.ndarray:
        """Return calibrated (n, m+1) probabilities of the fitted corpus (last = off)."""
        assert self.P is not None
        return self.P

    def probabilities(self, vectors: np.ndarray, texts: Sequence[str] | None = None) -> np.ndarray:
        """Return calibrated (n, m+1) probabilities of new vectors (inductive).

        With the (cleaned) `texts`, the self-trained lexical model joins in as in training.
        """
        X = _unit(np.asarray(vectors, dtype=np.float32))
        Xc = self._center(X)
        L0 = self._prior(X, Xc)
        zc = (Xc @ self.C.T - self._c_bias) / self._c_scale
        P = _softmax(L0 + self.centroid_weight * zc)
        if texts is not None and self.vectorizer is not None and self.st is not None:
            F = self._features(self.vectorizer.transform(list(texts)), Xc)
            z = F @ self.st[0].T + self.st[1]
            Pl = _softmax(np.asarray(z))
            lam = 1 - (1 - self.lexical_weight) ** self.st_rounds
            P = np.exp((1 - lam) * np.log(np.clip(P, 1e-6, 1)) + lam * np.log(np.clip(Pl, 1e-6, 1)))
            P /= P.sum(axis=1, keepdims=True)
        logp = np.log(np.clip(P, 1e-6, 1.0))
        if self.lr is not None:
            gamma = len(self.labels) / (len(self.labels) + 40.0)
            logp = logp + gamma * self._lr_logp(Xc)
        return _softmax(logp / self.temperature)

    @property
    def st(self) -> tuple[np.ndarray, np.ndarray] | None:
        """Return (coef, intercept) of the self-trained model over all classes, or None."""
        model = self.st_model
        if model is None:
            return self._st_arrays
        m = len(self.classes)
        coef = np.zeros((m, model.coef_.shape[1]), dtype=np.float32)
        bias = np.full(m, -30.0, dtype=np.float32)
        seen = model.classes_
        if len(seen) == 2:
            coef[seen] = np.vstack([-model.coef_[0] / 2, model.coef_[0] / 2])
            bias[seen] = [-model.intercept_[0] / 2, model.intercept_[0] / 2]
        else:
            coef[seen], bias[seen] = model.coef_, model.intercept_
        return coef, bias

    def decide(self, row: np.ndarray) -> tuple[str, float, list[ObjectiveMatch], bool]:
        """Return (best code, confidence, matches best first, needs_review) of one row."""
        best = int(np.argmax(row))
        conf = float(row[best])
        code = self.classes[best]
        matches = [ObjectiveMatch(code, round(conf, 4))]
        if best != len(self.codes):
            order = np.argsort(-row[:-1])
            for j in order[1:3]:
                if row[j] >= max(self.secondary_min, self.secondary_ratio * conf):
                    matches.append(ObjectiveMatch(self.codes[j], self._membership(row[j], conf)))
        return code, conf, matches, conf < self.review_threshold

    def _membership(self, p: float, best: float) -> float:
        """Return a secondary objective's confidence that it also applies (at most the best's).

        A runner-up whose membership reaches the best's confidence is reported *tied* with it
        (listed after it): when the best is itself uncertain, the two are equally plausible and
        both count "da verificare" (consult.analysis.assignment), rather than the alternative
        being dropped because the best is uncertain.
        """
        power = getattr(self, "secondary_power", 1.0)  # models saved before it: raw p
        return round(min(float(p) ** power, best), 4)

    def match_vectors(self, vectors: np.ndarray) -> list[list[ObjectiveMatch]]:
        """Return objective matches per vector, best first (ObjectiveMapper-compatible)."""
        return [self.decide(r)[2] for r in self.probabilities(vectors)]

    def match(self, texts: Sequence[str]) -> list[list[ObjectiveMatch]]:
        """Encode texts and return their objective matches."""
        return self.match_vectors(self.encoder.encode(list(texts)))

    # ----- explanations -------------------------------------------------------------------
    def explain(
        self, item: int | str, *, texts: Sequence[str] | None = None, n: int = 3
    ) -> Explanation:
        """Explain a corpus index (with the corpus `texts`) or a new text."""
        if isinstance(item, str):
            X = _unit(self.encoder.encode([item]))
            row = self.probabilities(X)[0]
        else:
            assert self.X is not None and self.P is not None
            X = self.X[[item]]
            row = self.P[item]
        Xc = self._center(X)[0]
        code, conf, _matches, _ = self.decide(row)
        cands: list[tuple[str, str, float, str]] = []
        if texts is not None and self.labels:
            rows = [i for i in self.labels if i != item]
            if rows:
                if self.Xc is None:
                    raise NotFittedError("a loaded model has no corpus: explain() it without texts")
                sims = self.Xc[rows] @ Xc
                for r, s in zip(rows, sims, strict=True):
                    cands.append((texts[r], self.labels[r], float(s), "confirmed"))
        sims = self._seeds_c @ Xc
        for t, y, s in zip(self.seed_texts, self.seed_y, sims, strict=True):
            cands.append((t, self.classes[int(y)], float(s), "seed"))
        cands.sort(key=lambda c: -c[2])
        j = self.classes.index(code)
        wsims = _unit(X)[0] @ self.wording_vectors.T
        own = [(float(wsims[k]), t) for k, (o, t) in enumerate(self.wording) if o == j]
        wording = max(own)[1] if own else ""
        alts = [ObjectiveMatch(self.classes[k], round(float(row[k]), 4)) for k in np.argsort(-row)]
        return Explanation(
            code,
            round(conf, 4),
            [(t, c, round(s, 4), kind) for t, c, s, kind in cands[:n]],
            wording,
            alts[1:4],
        )

    # ----- persistence ----------------------------------------------------------------
    def state(self) -> tuple[dict[str, np.ndarray], dict]:
        """Return arrays and JSON metadata that recreate the inductive part of this model."""
        arrays, meta = self.mapper.state()
        arrays = dict(arrays) | {
            "clf_mu": self.mu,
            "clf_C": self.C,
            "clf_c_bias": np.asarray(self._c_bias, np.float32),
            "clf_seeds": self.seed_vectors,
            "clf_seed_y": self.seed_y.astype(np.int64),
            "clf_seed_bias": np.asarray(self._seed_bias, np.float32),
        }
        if self.lr is not None:
            arrays |= {"clf_lr_coef": self.lr[0], "clf_lr_bias": self.lr[1]}
        vocabulary = None
        if self.vectorizer is not None and self.st is not None:
            coef, bias = self.st
            arrays |= {
                "clf_st_coef": coef,
                "clf_st_bias": bias,
                "clf_idf": self.vectorizer.idf_.astype(np.float32),
            }
            vocab = self.vectorizer.vocabulary_
            vocabulary = sorted(vocab, key=vocab.get)
        meta = {
            "vocabulary": vocabulary,
            "lexical_weight": self.lexical_weight,
            "st_rounds": self.st_rounds,
            "embed_scale": self.embed_scale,
            "mapper": meta,
            "examples": {o.code: list(o.examples) for o in self.specs},
            "seed_texts": self.seed_texts,
            "wording": [[o, t] for o, t in self.wording],
            "c_scale": self._c_scale,
            "seed_scale": self._seed_scale,
            "temperature": self.temperature,
            "default_temperature": self.default_temperature,
            "n_labels": len(self.labels),
            "params": {
                "review_threshold": self.review_threshold,
                "secondary_ratio": self.secondary_ratio,
                "secondary_min": self.secondary_min,
                "secondary_power": self.secondary_power,
                "prior_weight": self.prior_weight,
                "seed_weight": self.seed_weight,
                "centroid_weight": self.centroid_weight,
                "smoothing": self.smoothing,
            },
        }
        return arrays, meta

    @classmethod
    def from_state(cls, arrays: dict, meta: dict, *, encoder: Encoder) -> ObjectiveClassifier:
        """Rebuild a saved classifier (assign, explain new texts; refit needs fit())."""
        self = cls.__new__(cls)
        self.mapper = ObjectiveMapper.from_state(arrays, meta["mapper"], encoder=encoder)
        ex = meta.get("examples", {})
        self.specs = [
            ObjectiveSpec(o.code, o.title, o.description, o.keywords, tuple(ex.get(o.code, ())))
            for o in self.mapper.specs
        ]
        self.codes = [o.code for o in self.specs]
        self.classes = [*self.codes, OFF_STRATEGY]
        self.encoder = encoder
        for k, v in meta["params"].items():
            setattr(self, k, v)
        self.default_temperature = meta["default_temperature"]
        self.temperature = meta["temperature"]
        self.wording = [(int(o), t) for o, t in meta["wording"]]
        self.wording_vectors = self.mapper.proto_vectors
        self.seed_texts = meta["seed_texts"]
        self.seed_vectors = arrays["clf_seeds"]
        self.seed_y = arrays["clf_seed_y"].astype(int)
        self.mu = arrays["clf_mu"]
        self._seeds_c = self._center(self.seed_vectors)
        self._seed_bias = arrays["clf_seed_bias"]
        self._seed_scale = meta["seed_scale"]
        self.C = arrays["clf_C"]
        self._c_bias = arrays["clf_c_bias"]
        self._c_scale = meta["c_scale"]
        self.lr = (
            (arrays["clf_lr_coef"], arrays["clf_lr_bias"]) if "clf_lr_coef" in arrays else None
        )
        self.labels = {i: "" for i in range(meta["n_labels"])}
        self.lexical_weight = meta.get("lexical_weight", 0.0)
        self.st_rounds = meta.get("st_rounds", 0)
        self.embed_scale = meta.get("embed_scale", 1.0)
        self.Z = self.Zseed = None
        self.vectorizer = None
        self.st_model = None
        self._st_arrays = None
        self.Pst = None
        if meta.get("vocabulary") is not None and "clf_st_coef" in arrays:
            vec = _char_vectorizer(vocabulary=meta["vocabulary"])
            vec._validate_vocabulary()
            vec.idf_ = arrays["clf_idf"].astype(np.float64)
            self.vectorizer = vec
            self._st_arrays = (arrays["clf_st_coef"], arrays["clf_st_bias"])
        self.X = self.Xc = self.P = self.logp = None
        return self
