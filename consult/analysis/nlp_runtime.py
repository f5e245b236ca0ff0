"""Request-time seam to `nlp/`: encoders and the current run's theme model, loaded once.

`theme_engine` is the seam for batch fits; this module is the one for what happens while a
person types or a live session runs (near-duplicate scores, assigning one new proposal). It
must never break a page: when an encoder or a model cannot be loaded it logs a warning once
and answers None, and callers fall back (lexical scores, the author's suggestion).
"""

import hashlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

_lock = threading.Lock()
_encoders: dict[str, Any] = {}  # CONSULT_EMBEDDINGS value -> encoder, or None if unusable
_models: dict[str, Any] = {}  # the current run's model path -> its ThemeModel, or None
_assigned: "OrderedDict[tuple[str, str], Any]" = OrderedDict()  # (path, text hash) -> result
ASSIGNED_LIMIT = 5000
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
    from nlp import DUPLICATE_CALIBRATION, NlpError, shared_encoder

    if name == "lsa":
        # Corpus-fitted, and only as good as the vocabulary it was fitted on: the character
        # n-grams of the lexical score already do its job better (typos, inflections).
        return None
    try:
        encoder = shared_encoder(name)
    except (NlpError, ImportError, OSError) as exc:
        log.warning(
            "similar proposals: encoder %r unavailable (%s); lexical scores only", name, exc
        )
        return None
    if name not in DUPLICATE_CALIBRATION and encoder.name not in DUPLICATE_CALIBRATION:
        log.warning("similar proposals: no calibration for encoder %r; lexical scores only", name)
        return None
    return encoder


def job_encoder(name: str) -> Any:
    """The process's one-thread encoder for background embedding jobs, or None for a
    corpus-fitted one (lsa), whose vectors depend on a fit and cannot be computed ahead.

    One thread: parallelism comes from running more `consult worker` processes, and in the
    web process the job must leave the other cores to requests.
    """
    from nlp import shared_encoder

    encoder = shared_encoder(name, threads=1)
    return None if hasattr(encoder, "fit") else encoder


def cache_key(encoder: Any) -> str:
    from nlp import cache_key as nlp_cache_key

    return nlp_cache_key(encoder)


def text_hash(text: str) -> str:
    from nlp import text_hash as nlp_text_hash

    return nlp_text_hash(text)


def encode(encoder: Any, texts: Sequence[str]) -> np.ndarray:
    """Embed texts (shared encoders take turns between threads)."""
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


def theme_model(path: str | None) -> Any:
    """The theme model saved at `path` (the current run's), loaded once per process.

    Only the latest path is kept: when the current run changes, its model replaces the old.
    """
    if not path:
        return None
    with _lock:
        if path in _models:
            return _models[path]
    model = _load_model(path)
    with _lock:
        _models.clear()
        _models[path] = model
    return model


def warm(path: str | None) -> threading.Thread | None:
    """Load the model and its encoder in the background, so no approval waits for them."""
    if not path:
        return None
    with _lock:
        if path in _models:
            return None

    def load() -> None:
        try:
            model = theme_model(path)
            if model is not None:
                assign(model, path, ["Riscaldamento del modello per le sessioni dal vivo."])
        except Exception:
            log.warning("live assignment: warming the theme model failed", exc_info=True)

    thread = threading.Thread(target=load, name="consult-model-warmup", daemon=True)
    thread.start()
    return thread


def _load_model(path: str) -> Any:
    from nlp import NlpError, load_model

    try:
        return load_model(path)
    except (NlpError, OSError, ValueError, KeyError) as exc:
        log.warning("live assignment: cannot load the theme model %s (%s)", path, exc)
        return None


def assign(model: Any, path: str, texts: Sequence[str], cache: Any = None) -> list[Any]:
    """nlp Assignments of texts to the model's themes and objectives, remembered per text.

    The model's fast head does it when the run saved one (CONSULT_LIVE_EMBEDDINGS).
    """
    from nlp import encode_cached

    head = model.fast or model
    hashes = [text_hash(t) for t in texts]
    with _lock:
        known = {h: _assigned[(path, h)] for h in hashes if (path, h) in _assigned}
    todo = list(dict.fromkeys(t for t, h in zip(texts, hashes, strict=True) if h not in known))
    if todo:
        vectors = encode_cached(head.encoder, todo, cache)
        fresh = dict(zip(map(text_hash, todo), head.assign_vectors(vectors), strict=True))
        with _lock:
            for text_hash_, assignment in fresh.items():
                _assigned[(path, text_hash_)] = assignment
            while len(_assigned) > ASSIGNED_LIMIT:
                _assigned.popitem(last=False)
        known.update(fresh)
    return [known[h] for h in hashes]


def forget_all() -> None:
    """Drop loaded encoders and models (tests; a changed setting needs a restart otherwise)."""
    with _lock:
        _encoders.clear()
        _models.clear()
        _lexical.clear()
        _assigned.clear()


_preprocessor_lock = threading.Lock()
_preprocessor: Any = None


def content_lemmas(texts: Sequence[str]) -> list[list[str]]:
    """Each text's Italian content lemmas (stop words dropped), with nlp's one preprocessor.

    For the live word cloud: "servizi per gli anziani" and "Servizio agli anziani" give the same
    words. The preprocessor is built once per process (spaCy's blank Italian, under a second).
    """
    global _preprocessor
    with _preprocessor_lock:
        if _preprocessor is None:
            from nlp import ItalianPreprocessor

            _preprocessor = ItalianPreprocessor()
        preprocessor = _preprocessor
    return [preprocessor.lemmas(text) for text in texts]
