"""Semantic near-duplicates behind similar_contributions: USE on tiny data, cache, fallback."""

import logging

import pytest
from sqlmodel import select

from consult.analysis import nlp_runtime, proposal_index, similarity
from consult.analysis.embedding_store import MemoryLayer
from consult.analysis.models import EmbeddingCache

CORPUS = [
    "Servono più alloggi popolari per le famiglie sfrattate.",
    "Il servizio civile dovrebbe durare diciotto mesi.",
    "Più ore di assistenza domiciliare agli anziani non autosufficienti.",
    "Le buche in via Roma vanno riparate subito.",
]
# Same request as CORPUS[2] in other words.
PARAPHRASE = "Gli anziani che non sono autonomi hanno bisogno di più aiuto a casa"


@pytest.fixture(autouse=True)
def fresh_runtime():
    nlp_runtime.forget_all()
    MemoryLayer.forget_all()
    yield
    nlp_runtime.forget_all()
    MemoryLayer.forget_all()


@pytest.fixture
def proposals(create_contribution):
    return [create_contribution(text=text) for text in CORPUS]


def search(db, consultation, encoder, **kwargs):
    return similarity.similar_contributions(
        db, consultation_id=consultation.id, text=PARAPHRASE, encoder=encoder, **kwargs
    )


def test_the_encoder_raises_a_paraphrase_above_its_lexical_score(db, consultation, proposals):
    lexical = search(db, consultation, None)
    semantic = search(db, consultation, "use")
    assert semantic[0].contribution.id == lexical[0].contribution.id == proposals[2].id
    by_id = {item.contribution.id: item.score for item in lexical}
    assert semantic[0].score > by_id[proposals[2].id]
    strict = search(db, consultation, "use", min_score=0.9)
    assert [item.contribution.id for item in strict] == [proposals[2].id]
    assert search(db, consultation, None, min_score=0.9) == []
    assert all(0 <= item.score <= 1 for item in semantic)


def test_candidates_are_embedded_once_and_stored(db, consultation, proposals, monkeypatch):
    calls = []
    real_encode = nlp_runtime.encode
    monkeypatch.setattr(
        nlp_runtime,
        "encode",
        lambda enc, texts: calls.append(list(texts)) or real_encode(enc, texts),
    )
    search(db, consultation, "use")
    db.commit()
    assert calls[0] == [PARAPHRASE]  # the typed text, then the index embeds the proposals
    assert sorted(calls[1]) == sorted(CORPUS) and len(calls) == 2
    rows = db.exec(select(EmbeddingCache).where(EmbeddingCache.model == "use")).all()
    assert len(rows) == len(CORPUS)  # the typed query is not stored
    MemoryLayer.forget_all()  # a new process: vectors come back from the table
    proposal_index.forget_all()
    search(db, consultation, "use")
    assert calls[2:] == [[PARAPHRASE]]


def test_unavailable_encoder_falls_back_to_lexical_with_a_warning(
    db, consultation, proposals, caplog
):
    with caplog.at_level(logging.WARNING, logger="consult.analysis.nlp_runtime"):
        found = search(db, consultation, "sentence-transformers:/does/not/exist")
    assert [(i.contribution.id, i.score) for i in found] == [
        (i.contribution.id, i.score) for i in search(db, consultation, None)
    ]
    assert "lexical scores only" in caplog.text and "sentence-transformers" in caplog.text


def test_corpus_fitted_lsa_uses_the_lexical_score(db, consultation, proposals):
    assert nlp_runtime.duplicate_encoder("lsa") is None
    lexical = search(db, consultation, None)
    assert [i.score for i in search(db, consultation, "lsa")] == [i.score for i in lexical]


def test_an_encoder_failing_at_request_time_does_not_break_the_search(
    db, consultation, proposals, monkeypatch
):
    def broken(encoder, texts):
        raise RuntimeError("model file truncated")

    monkeypatch.setattr(nlp_runtime, "encode", broken)
    found = search(db, consultation, "use")
    assert [i.contribution.id for i in found] == [proposals[2].id]


def test_the_form_endpoint_uses_the_configured_encoder(app, client, proposals):
    app.config["CONSULT_EMBEDDINGS"] = "use"
    response = client.get("/proposte/simili", query_string={"text": PARAPHRASE})
    assert response.status_code == 200
    assert "assistenza domiciliare" in response.get_data(as_text=True)
    assert "buche" not in response.get_data(as_text=True)
