"""Request-time seam to `nlp/`: encoders and the current run's theme model, loaded once.

`theme_engine` is the seam for batch fits; this module is the one for what happens while a
person types or a live session runs (near-duplicate scores, assigning one new proposal). It
must never break a page: when an encoder or a model cannot be loaded it logs a warning once
and answers None, and callers fall back (lexical scores, the author's suggestion).
"""

import hashlib
import logging
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

_lock = threading.Lock()
_encoders: dict[str, Any] = {}  # CONSULT_EMBEDDINGS value -> encoder, or None if unusable
_encode_locks: dict[int, threading.Lock] = {}
_models: dict[str, Any] = {}  # model path -> loaded nlp ThemeModel, or None if unreadable
_lexical: dict[str, Any] = {}  # signature of a candidate set -> its fitted LexicalIndex
LEXICAL_INDEXES = 8  # candidate sets kept (form: published; moderation: pending + published)


def duplicate_encoder(name: str | None) -> Any:
    """The encoder for near-duplicate search, or None when only lexical scores make sense."""
    if not name:
        return None
    with _lock:
        if name not in _encoders:
            _encoders[name] = _load_duplicate_encoder(name.strip())
        return _encoders[name]


def _load_duplicate_encoder(name: str) -> Any:
    from nlp import DUPLICATE_CALIBRATION, NlpError, get_encoder

    if name == "lsa":
        # Corpus-fitted, and only as good as the vocabulary it was fitted on: the character
        # n-grams of the lexical score already do its job better (typos, inflections).
        return None
    try:
        encoder = get_encoder(name)
    except (NlpError, ImportError, OSError) as exc:
        log.warning(
            "similar proposals: encoder %r unavailable (%s); lexical scores only", name, exc
        )
        return None
    if name not in DUPLICATE_CALIBRATION and encoder.name not in DUPLICATE_CALIBRATION:
        log.warning("similar proposals: no calibration for encoder %r; lexical scores only", name)
        return None
    return encoder


def cache_key(encoder: Any) -> str:
    from nlp import cache_key as nlp_cache_key

    return nlp_cache_key(encoder)


def text_hash(text: str) -> str:
    from nlp import text_hash as nlp_text_hash

    return nlp_text_hash(text)


def encode(encoder: Any, texts: Sequence[str]) -> np.ndarray:
    """Embed texts; one caller at a time per encoder (the packaged encoders are not reentrant)."""
    with _lock:
        encode_lock = _encode_locks.setdefault(id(encoder), threading.Lock())
    with encode_lock:
        return encoder.encode(list(texts))


def lexical_scores(query: str, texts: Sequence[str]) -> np.ndarray:
    """Character n-gram cosines; the index of a candidate set is fitted once, not per keystroke."""
    from nlp import LexicalIndex

    signature = hashlib.sha256("\x00".join(texts).encode("utf-8")).hexdigest()
    with _lock:
        index = _lexical.get(signature)
    if index is None:
        index = LexicalIndex(texts)
        with _lock:
            _lexical[signature] = index
            while len(_lexical) > LEXICAL_INDEXES:
                _lexical.pop(next(iter(_lexical)))
    return index.scores(query)


def duplicate_scores(lexical: np.ndarray, cosines: np.ndarray | None, encoder: Any) -> np.ndarray:
    """Calibrated duplicate-likeness: 0 like an unrelated proposal, 1 like a typical duplicate."""
    from nlp import calibrated_duplicate_scores

    name = encoder.name if encoder is not None else None
    return calibrated_duplicate_scores(lexical, cosines, encoder=name)


def forget_all() -> None:
    """Drop loaded encoders and models (tests; a changed setting needs a restart otherwise)."""
    with _lock:
        _encoders.clear()
        _models.clear()
        _lexical.clear()
