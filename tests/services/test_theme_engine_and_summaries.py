"""The nlp seam's own logic, and cited extractive summaries."""

import numpy as np
import pytest

from consult.services import summaries, theme_engine


def test_identities_pair_themes_by_shared_proposals_one_to_one():
    previous = {"t-casa": {1, 2, 3, 4}, "t-nidi": {5, 6, 7}, "t-gone": {8, 9}}
    current = {0: {5, 6, 7, 10}, 1: {1, 2, 3}, 2: {11, 12}}
    assert theme_engine.match_identities(previous, current) == {0: "t-nidi", 1: "t-casa"}


def test_identities_leave_weak_overlaps_unmatched():
    previous = {"t-a": set(range(10))}
    current = {0: {0, 20, 21, 22, 23, 24, 25, 26, 27, 28}}  # one shared proposal in 19
    assert theme_engine.match_identities(previous, current) == {}
    assert theme_engine.match_identities({}, current) == {}


def test_cache_key_of_a_corpus_fitted_encoder_follows_its_fit():
    texts_a = ["asili nido comunali", "case popolari care", "anziani soli a casa"] * 3
    texts_b = ["servizio civile giovani", "ISEE e mensa scolastica", "trasporto disabili"] * 3
    first, second, other = (theme_engine.build_encoder("lsa") for _ in range(3))
    first.fit(texts_a)
    second.fit(texts_a)
    other.fit(texts_b)
    assert theme_engine.encoder_cache_key(first).startswith("lsa@")
    assert theme_engine.encoder_cache_key(first) == theme_engine.encoder_cache_key(second)
    assert theme_engine.encoder_cache_key(first) != theme_engine.encoder_cache_key(other)


MEMBERS = [
    (11, "Servono più posti negli asili nido. Le rette sono troppo alte per le famiglie."),
    (12, "Le rette degli asili nido sono troppo alte per le famiglie con due figli."),
    (13, "Gli asili nido chiudono troppo presto. Servono orari più lunghi per chi lavora."),
    (14, "Mancano posti negli asili nido dei piccoli comuni di montagna."),
]


def test_extractive_summary_cites_the_proposals_its_sentences_come_from():
    summary = summaries.summarise(MEMBERS)
    assert 1 <= len(summary) <= summaries.MAX_SENTENCES
    texts = dict(MEMBERS)
    for sentence in summary:
        assert sentence["sources"]
        for source in sentence["sources"]:
            assert sentence["text"] in texts[source]  # verbatim: nothing invented
    assert len({s["text"] for s in summary}) == len(summary)


def test_identical_sentences_cite_every_proposal_containing_them():
    members = [(1, "Servono più asili nido."), (2, "Servono più asili nido.")]
    assert summaries.summarise(members) == [{"text": "Servono più asili nido.", "sources": [1, 2]}]


def test_a_plugged_summariser_must_cite_member_proposals():
    class Inventive:
        def summarise(self, members):
            return [{"text": "Tutti vogliono più nidi.", "sources": [999]}]

    class Honest:
        def summarise(self, members):
            return [{"text": "Le famiglie chiedono più nidi.", "sources": [11, 14]}]

    try:
        summaries.use(Inventive())
        fallback = summaries.summarise(MEMBERS)
        assert all(set(s["sources"]) <= {11, 12, 13, 14} for s in fallback)
        summaries.use(Honest())
        assert summaries.summarise(MEMBERS)[0]["text"] == "Le famiglie chiedono più nidi."
    finally:
        summaries.use(None)


def test_validate_refuses_sentences_without_citations():
    with pytest.raises(summaries.CitationError):
        summaries.validate([{"text": "Frase senza fonti.", "sources": []}], {1})
    with pytest.raises(summaries.CitationError):
        summaries.validate([{"text": "Fonte estranea.", "sources": [2]}], {1})
    summaries.validate([{"text": "Va bene.", "sources": [1]}], {1})


def test_mmr_prefers_central_then_different_rows():
    vectors = np.array([[1.0, 0.0], [0.99, 0.1], [0.7, 0.7], [0.0, 1.0]])
    # Row 2 sits closest to the centroid; then row 1 wins over 3 (relevant enough, less alike).
    assert summaries._mmr(vectors, 2) == [2, 1]
    assert summaries._mmr(vectors, 9) == [2, 1, 0, 3]
