"""Italian NLP for consult: preprocessing, embeddings, themes, objectives.

Plain data in, plain data out: this package never imports the web application.
"""

from __future__ import annotations

from ._embeddings import (
    DEFAULT_ENCODER,
    EmbeddingCache,
    Encoder,
    InMemoryEmbeddingCache,
    encode_cached,
    get_encoder,
    text_hash,
)
from ._preprocess import ItalianPreprocessor, normalize_text
from ._themes import Progress, ThemeModel
from .errors import (
    EncoderNameError,
    ModelUnavailableError,
    NlpError,
    NotFittedError,
    PersistenceError,
)
from .types import (
    OFF_STRATEGY,
    OUTLIER,
    Assignment,
    DocAssignment,
    DuplicateMatch,
    ObjectiveMatch,
    ObjectiveSpec,
    RunInfo,
    Theme,
    ThemeMatch,
    ThemeResult,
)

__all__ = [
    "DEFAULT_ENCODER",
    "OFF_STRATEGY",
    "OUTLIER",
    "Assignment",
    "DocAssignment",
    "DuplicateMatch",
    "EmbeddingCache",
    "Encoder",
    "EncoderNameError",
    "InMemoryEmbeddingCache",
    "ItalianPreprocessor",
    "ModelUnavailableError",
    "NlpError",
    "NotFittedError",
    "ObjectiveMatch",
    "ObjectiveSpec",
    "PersistenceError",
    "Progress",
    "RunInfo",
    "Theme",
    "ThemeMatch",
    "ThemeModel",
    "ThemeResult",
    "encode_cached",
    "get_encoder",
    "normalize_text",
    "text_hash",
]
