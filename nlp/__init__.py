"""Italian NLP for consult: preprocessing, embeddings, themes, objectives.

Plain data in, plain data out: this package never imports the web application.
"""

from __future__ import annotations

from ._duplicates import (
    DUPLICATE_CALIBRATION,
    LexicalIndex,
    calibrated_duplicate_scores,
    lexical_duplicates,
    lexical_scores,
    near_duplicates,
)
from ._embeddings import (
    DEFAULT_ENCODER,
    EmbeddingCache,
    Encoder,
    InMemoryEmbeddingCache,
    cache_key,
    encode_cached,
    get_encoder,
    shared_encoder,
    text_hash,
)
from ._evaluation import (
    baseline_nmi,
    evaluate_mapping,
    evaluate_themes,
    npmi_coherence,
    read_framework,
    read_labeled_csv,
    topic_diversity,
)
from ._identity import PreviousTheme, match_themes
from ._objectives import OFF_TOPICS, ObjectiveMapper
from ._persistence import load_model, save_model
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
    "DUPLICATE_CALIBRATION",
    "OFF_STRATEGY",
    "OFF_TOPICS",
    "OUTLIER",
    "Assignment",
    "DocAssignment",
    "DuplicateMatch",
    "EmbeddingCache",
    "Encoder",
    "EncoderNameError",
    "InMemoryEmbeddingCache",
    "ItalianPreprocessor",
    "LexicalIndex",
    "ModelUnavailableError",
    "NlpError",
    "NotFittedError",
    "ObjectiveMapper",
    "ObjectiveMatch",
    "ObjectiveSpec",
    "PersistenceError",
    "PreviousTheme",
    "Progress",
    "RunInfo",
    "Theme",
    "ThemeMatch",
    "ThemeModel",
    "ThemeResult",
    "baseline_nmi",
    "cache_key",
    "calibrated_duplicate_scores",
    "encode_cached",
    "evaluate_mapping",
    "evaluate_themes",
    "get_encoder",
    "lexical_duplicates",
    "lexical_scores",
    "load_model",
    "match_themes",
    "near_duplicates",
    "normalize_text",
    "npmi_coherence",
    "read_framework",
    "read_labeled_csv",
    "save_model",
    "shared_encoder",
    "text_hash",
    "topic_diversity",
]
