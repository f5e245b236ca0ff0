"""Quiet imports of heavy third-party libraries."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["quiet_imports"]


@contextmanager
def quiet_imports() -> Iterator[None]:
    """Silence import-time noise (umap's missing-TensorFlow ImportWarning, numba)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ImportWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        yield
