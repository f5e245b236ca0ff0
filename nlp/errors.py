"""Errors raised by the nlp package."""

from __future__ import annotations

__all__ = [
    "EncoderNameError",
    "ModelUnavailableError",
    "NlpError",
    "NotFittedError",
    "PersistenceError",
]


class NlpError(Exception):
    """Base class for every error raised by nlp."""


class ModelUnavailableError(NlpError):
    """An embedding model named by CONSULT_EMBEDDINGS cannot be loaded offline."""


class EncoderNameError(NlpError, ValueError):
    """CONSULT_EMBEDDINGS names an encoder that does not exist."""


class NotFittedError(NlpError, RuntimeError):
    """A model was used before being fitted."""


class PersistenceError(NlpError):
    """A saved model directory is missing or malformed."""
