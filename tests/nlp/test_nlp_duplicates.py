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
