"""Italian NLP for consult: preprocessing, embeddings, themes, objectives.

Plain data in, plain data out: this package never imports the web application.
"""

from __future__ import annotations

from ._active import learning_curve, select_queries
from ._classifier import DEFAULT_TEMPERATURE, ObjectiveClassifier
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
    batch_threads,
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
from ._preprocess import ItalianPreprocessor, clean_text, normalize_text
from ._scoring import reliability
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
    Explanation,
    ObjectiveMatch,
    ObjectiveSpec,
    Query,
    RunInfo,
    Theme,
    ThemeMatch,
    ThemeResult,
)

__all__ = [
    "DEFAULT_ENCODER",
    "DEFAULT_TEMPERATURE",
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
    "Explanation",
    "InMemoryEmbeddingCache",
    "ItalianPreprocessor",
    "LexicalIndex",
    "ModelUnavailableError",
    "NlpError",
    "NotFittedError",
    "ObjectiveClassifier",
    "ObjectiveMapper",
    "ObjectiveMatch",
    "ObjectiveSpec",
    "PersistenceError",
    "PreviousTheme",
    "Progress",
    "Query",
    "RunInfo",
    "Theme",
    "ThemeMatch",
    "ThemeModel",
    "ThemeResult",
    "baseline_nmi",
    "batch_threads",
    "cache_key",
    "calibrated_duplicate_scores",
    "clean_text",
    "encode_cached",
    "evaluate_mapping",
    "evaluate_themes",
    "get_encoder",
    "learning_curve",
    "lexical_duplicates",
    "lexical_scores",
    "load_model",
    "match_themes",
    "near_duplicates",
    "normalize_text",
    "npmi_coherence",
    "read_framework",
    "read_labeled_csv",
    "reliability",
    "save_model",
    "select_queries",
    "shared_encoder",
    "text_hash",
    "topic_diversity",
]
