"""TF-IDF + truncated SVD encoder fitted on the corpus: the fast fallback."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from .errors import NotFittedError

__all__ = ["LsaEncoder"]


class LsaEncoder:
    """Latent semantic analysis over word uni- and bigrams; needs fit()."""

    name = "lsa"

    def __init__(self, *, dim: int = 256, seed: int = 0) -> None:
        self.dim = dim
        self.seed = seed
        self.fitted = False
        self.vocabulary: dict[str, int] = {}
        self.idf = np.zeros(0, dtype=np.float32)
        self.components = np.zeros((0, 0), dtype=np.float32)
        self._fingerprint = ""

    @property
    def cache_key(self) -> str:
        """Return 'lsa@<digest of the fitted state>': vectors of different fits never mix."""
        if not self.fitted:
            raise NotFittedError("the 'lsa' encoder has no cache key before it is fitted")
        if not self._fingerprint:
            digest = hashlib.sha256()
            for array in (self.components, self.idf):
                digest.update(np.ascontiguousarray(array).tobytes())
            self._fingerprint = digest.hexdigest()[:16]
        return f"{self.name}@{self._fingerprint}"

    def _counter(self):
        """Return the fixed-vocabulary counter used at transform time."""
        from sklearn.feature_extraction.text import CountVectorizer

        return CountVectorizer(
            analyzer="word",
            ngram_range=(1, 2),
            lowercase=True,
            strip_accents=None,
            vocabulary=self.vocabulary or None,
            dtype=np.float32,
        )

    def fit(self, texts: Sequence[str]) -> LsaEncoder:
        """Learn vocabulary, idf and SVD components from texts."""
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfVectorizer

        tfidf = TfidfVectorizer(
            analyzer="word",
            ngram_range=(1, 2),
            min_df=2 if len(texts) > 50 else 1,
            max_features=100_000,
            sublinear_tf=True,
            dtype=np.float32,
        )
        matrix = tfidf.fit_transform(list(texts))
        k = int(max(2, min(self.dim, matrix.shape[0] - 1, matrix.shape[1] - 1)))
        svd = TruncatedSVD(n_components=k, random_state=self.seed, algorithm="randomized")
        svd.fit(matrix)
        self.vocabulary = {t: int(i) for t, i in tfidf.vocabulary_.items()}
        self.idf = tfidf.idf_.astype(np.float32)
        self.components = svd.components_.astype(np.float32)
        self.dim = k
        self.fitted = True
        self._fingerprint = ""
        return self

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Project texts into the fitted latent space as unit vectors."""
        if not self.fitted:
            raise NotFittedError("the 'lsa' encoder must be fitted on a corpus first")
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        counts = self._counter().transform(list(texts)).astype(np.float32)
        counts.data = 1.0 + np.log(counts.data)
        weighted = counts.multiply(self.idf[None, :]).tocsr()
        vectors = np.asarray(weighted @ self.components.T, dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-12)

    def state(self) -> tuple[dict[str, np.ndarray], dict]:
        """Return arrays and JSON metadata that recreate this encoder."""
        terms = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        return {"lsa_idf": self.idf, "lsa_components": self.components}, {
            "lsa_terms": terms,
            "lsa_dim": self.dim,
        }

    @classmethod
    def from_state(cls, arrays: dict[str, np.ndarray], meta: dict) -> LsaEncoder:
        """Rebuild an encoder saved with state()."""
        enc = cls(dim=int(meta["lsa_dim"]))
        enc.vocabulary = {t: i for i, t in enumerate(meta["lsa_terms"])}
        enc.idf = arrays["lsa_idf"]
        enc.components = arrays["lsa_components"]
        enc.fitted = True
        return enc
