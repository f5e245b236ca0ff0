"""Swappable reducers and clusterers for BERTopic, chosen by corpus size."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from ._compat import quiet_imports

__all__ = ["Clusterer", "Regime", "SilhouetteKMeans", "build_submodels", "choose_regime"]

log = logging.getLogger(__name__)

PCA_DIM = 32


class Clusterer(Protocol):
    """What BERTopic needs from its hdbscan_model slot."""

    labels_: np.ndarray

    def fit(self, X: np.ndarray, y: Any = None) -> Clusterer:
        """Cluster X and set labels_."""
        ...


class SilhouetteKMeans:
    """KMeans whose k is chosen by silhouette on (a sample of) the data."""

    def __init__(
        self,
        *,
        k_values: list[int],
        seed: int = 42,
        minibatch: bool = False,
        sample_size: int = 3000,
    ) -> None:
        self.k_values = k_values
        self.seed = seed
        self.minibatch = minibatch
        self.sample_size = sample_size
        self.labels_ = np.zeros(0, dtype=int)
        self.k_ = 0
        self.scores_: dict[int, float] = {}
        self._model: Any = None

    def _kmeans(self, k: int):
        """Return a fresh (minibatch) KMeans with k clusters."""
        from sklearn.cluster import KMeans, MiniBatchKMeans

        if self.minibatch:
            return MiniBatchKMeans(n_clusters=k, random_state=self.seed, n_init=3, batch_size=4096)
        return KMeans(n_clusters=k, random_state=self.seed, n_init=4)

    def fit(self, X: np.ndarray, y: Any = None) -> SilhouetteKMeans:
        """Pick k by silhouette, then cluster all of X."""
        from sklearn.metrics import silhouette_score

        X = np.asarray(X, dtype=np.float32)
        rng = np.random.default_rng(self.seed)
        sample = (
            X
            if len(X) <= self.sample_size
            else X[rng.choice(len(X), self.sample_size, replace=False)]
        )
        best = (-2.0, self.k_values[0], None)
        for k in self.k_values:
            if k >= len(sample):
                continue
            labels = self._kmeans(k).fit_predict(sample)
            if len(set(labels)) < 2:
                continue
            score = float(silhouette_score(sample, labels, metric="cosine"))
            self.scores_[k] = score
            if score > best[0]:
                best = (score, k, None)
        self.k_ = best[1]
        self._model = self._kmeans(self.k_).fit(X)
        self.labels_ = self._model.labels_.astype(int)
        log.info("kmeans: k=%d chosen by silhouette %s", self.k_, self.scores_)
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Return the nearest cluster of each row."""
        return self._model.predict(np.asarray(X, dtype=np.float32))


class CenteredPCA:
    """Center (removing the encoder's common direction), project with PCA, renormalise."""

    def __init__(self, *, n_components: int = 32, seed: int = 42) -> None:
        self.n_components = n_components
        self.seed = seed
        self._pca: Any = None

    def fit(self, X: np.ndarray, y: Any = None) -> CenteredPCA:
        """Learn the mean and principal axes of X."""
        from sklearn.decomposition import PCA

        X = np.asarray(X, dtype=np.float32)
        k = int(min(self.n_components, X.shape[0] - 1, X.shape[1]))
        self._pca = PCA(n_components=max(k, 1), random_state=self.seed, svd_solver="randomized")
        self._pca.fit(X)
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        """Return unit-length projections of X."""
        Z = self._pca.transform(np.asarray(X, dtype=np.float32)).astype(np.float32)
        return Z / np.maximum(np.linalg.norm(Z, axis=1, keepdims=True), 1e-12)

    def fit_transform(self, X: np.ndarray, y: Any = None) -> np.ndarray:
        """Fit then transform X."""
        return self.fit(X).transform(X)


@dataclass(frozen=True)
class Regime:
    """Which sub-models a corpus of a given size gets."""

    name: str
    n: int


def choose_regime(n: int, *, small_threshold: int, large_threshold: int) -> Regime:
    """Return 'small' (KMeans), 'standard' (UMAP+HDBSCAN) or 'large' (PCA+KMeans)."""
    if n >= large_threshold:
        return Regime("large", n)
    if n < small_threshold:
        return Regime("small", n)
    return Regime("standard", n)


def _k_grid(n: int, regime: str) -> list[int]:
    """Return the candidate numbers of themes for a corpus of n documents."""
    if regime == "large":
        return [k for k in (10, 15, 20, 30, 40, 60) if k < n]
    top = max(2, min(20, n // 6))
    return list(range(2, top + 1))


def build_submodels(regime: Regime, *, seed: int, min_topic_size: int | None = None):
    """Return fresh (reducer, clusterer) objects for one BERTopic fit."""
    n = regime.n
    if regime.name == "small":
        return CenteredPCA(n_components=max(2, min(PCA_DIM, n // 4)), seed=seed), SilhouetteKMeans(
            k_values=_k_grid(n, "small"), seed=seed
        )
    if regime.name == "large":
        return CenteredPCA(n_components=PCA_DIM, seed=seed), SilhouetteKMeans(
            k_values=_k_grid(n, "large"), seed=seed, minibatch=True
        )
    with quiet_imports():
        from hdbscan import HDBSCAN
        from umap import UMAP

    size = min_topic_size or max(8, n // 60)
    reducer = UMAP(
        n_neighbors=15,
        n_components=5,
        min_dist=0.0,
        metric="cosine",
        random_state=seed,
        n_epochs=200,
        low_memory=True,
        n_jobs=1,
    )
    clusterer = HDBSCAN(
        min_cluster_size=size,
        min_samples=max(2, size // 3),
        metric="euclidean",
        cluster_selection_method="eom",
        prediction_data=True,
    )
    return reducer, clusterer
