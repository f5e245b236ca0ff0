"""Near-duplicates over vectors and a lexical fallback without an encoder."""

import numpy as np

from nlp import lexical_duplicates, near_duplicates


def test_near_duplicates_thresholds_and_ranks():
    corpus = np.array([[1, 0], [0.9, 0.1], [0, 1]], dtype=np.float32)
    query = np.array([[1, 0.05]], dtype=np.float32)
    out = near_duplicates(query, corpus, threshold=0.9, top_k=5)
    assert [m.index for m in out[0]] == [0, 1]
    assert out[0][0].score >= out[0][1].score
    assert near_duplicates(query, corpus, threshold=0.9, top_k=1)[0][0].index == 0


def test_near_duplicates_can_exclude_self():
    vectors = np.eye(3, dtype=np.float32)
    out = near_duplicates(vectors, vectors, threshold=0.5, exclude_self=True)
    assert out == [[], [], []]


def test_lexical_duplicates_catch_reworded_copies():
    corpus = [
        "Servono più case popolari a Torino",
        "Più ore di assistenza domiciliare agli anziani",
        "Il campo da calcio è rotto",
    ]
    out = lexical_duplicates(["servono piu case popolari a torino!!"], corpus, threshold=0.5)
    assert [m.index for m in out[0]] == [0]
    assert lexical_duplicates(["argomento diverso"], corpus, threshold=0.5) == [[]]


def test_the_lexical_index_scores_as_the_tfidf_vectorizer_fitted_on_the_same_texts():
    """The index builds TF-IDF from remembered n-gram counts: its scores must be those of the
    scikit-learn vectorizer every calibration was measured with, on messy input too."""
    import random

    from nlp import LexicalIndex
    from nlp._duplicates import _char_vectorizer

    rng = random.Random(5)
    words = [
        "servono",
        "più",
        "case",
        "popolari",
        "anziani",
        "assistenza",
        "domiciliare",
        "è",
        "già",
        "perché",
        "città",
    ]
    texts = [" ".join(rng.choice(words) for _ in range(rng.randrange(2, 30))) for _ in range(60)]
    texts += ["ÀÈÌ ok!!", "a", "Servono più case popolari", "Servono più case popolari"]
    queries = ["servono piu case popolari!!", "zzz qqq", "È GIÀ", "Assistenza domiciliare"]
    for size in (1, 7, len(texts)):
        sample = rng.sample(texts, size)
        reference = _char_vectorizer()
        matrix = reference.fit_transform(sample)
        index = LexicalIndex(sample)
        for query in queries:
            expected = np.asarray((matrix @ reference.transform([query]).T).toarray()).ravel()
            np.testing.assert_allclose(index.scores(query), expected, atol=1e-12)
    assert LexicalIndex([]).scores("servono case").shape == (0,)
