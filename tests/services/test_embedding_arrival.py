"""A proposal is embedded in the background once it is published: one coalesced job per burst,
never one per proposal, and a failure leaves everything as it was."""

import logging
import threading

import pytest
from sqlalchemy.exc import OperationalError
from sqlmodel import func, select

from consult import jobs
from consult.analysis import embedding_arrival, nlp_runtime
from consult.analysis.embedding_store import DatabaseEmbeddingCache
from consult.analysis.models import EmbeddingCache
from consult.live import moderation

TEXTS = [
    f"Servono più corse serali del bus per raggiungere l'ospedale di zona {i}." for i in range(30)
]


@pytest.fixture
def arrival_app(app):
    """The app as configured in production, with the fast `use` encoder."""
    app.config.update(EMBED_ON_ARRIVAL=True, CONSULT_EMBEDDINGS="use")
    nlp_runtime.forget_all()
    with app.app_context():
        yield app


def _vectors(db, texts) -> int:
    hashes = [nlp_runtime.text_hash(t) for t in texts]
    return len(DatabaseEmbeddingCache(db.get_bind()).stored_hashes("use", hashes))


def test_a_burst_of_publications_starts_one_thread_that_embeds_them_all(
    arrival_app, db, create_contribution, monkeypatch
):
    arrival_app.config["ANALYSIS_EXECUTOR"] = "thread"
    started = []
    monkeypatch.setattr(jobs, "start_native_thread", lambda *a, **k: started.append(a))
    monkeypatch.setattr(embedding_arrival, "DEBOUNCE_SECONDS", 0)
    for text in TEXTS:  # thirty commits, as thirty requests would make
        create_contribution(text=text)
    create_contribution(text="Una proposta in attesa di moderazione.", status="pending")
    assert len(started) == 1 and _vectors(db, TEXTS) == 0
    target, args = started[0]
    target(*args)  # the one drain thread's body
    assert _vectors(db, TEXTS) == len(TEXTS)
    assert _vectors(db, ["Una proposta in attesa di moderazione."]) == 0
    create_contribution(text="Una proposta arrivata dopo.")
    assert len(started) == 2  # the drain had finished: the next arrival starts a new one


def test_the_thread_embeds_a_new_proposal_in_the_background(arrival_app, db, create_contribution):
    arrival_app.config["ANALYSIS_EXECUTOR"] = "thread"
    create_contribution(text=TEXTS[0])
    for thread in threading.enumerate():
        if thread.name == "embed-arrivals":
            thread.join(120)  # loading the encoder takes a while on a busy machine
    assert _vectors(db, TEXTS[:1]) == 1


def test_approval_in_moderation_embeds_the_proposal(
    arrival_app, db, create_contribution, create_user
):
    arrival_app.config["ANALYSIS_EXECUTOR"] = "inline"
    moderator = create_user("moderator")
    pending = create_contribution(text=TEXTS[1], title="Bus serali", status="pending")
    assert _vectors(db, [TEXTS[1]]) == 0
    moderation.approve(db, pending, actor_id=moderator.id, classify=False)
    db.commit()
    # The analysis's text (title, then text) and the raw text the similar search compares.
    assert _vectors(db, [f"Bus serali. {TEXTS[1]}", TEXTS[1]]) == 2


def test_the_switch_turns_it_off(arrival_app, db, create_contribution):
    arrival_app.config.update(ANALYSIS_EXECUTOR="inline", EMBED_ON_ARRIVAL=False)
    create_contribution(text=TEXTS[2])
    assert _vectors(db, [TEXTS[2]]) == 0


def test_a_missing_encoder_is_logged_and_changes_nothing(
    arrival_app, db, create_contribution, caplog
):
    arrival_app.config.update(
        ANALYSIS_EXECUTOR="inline", CONSULT_EMBEDDINGS="sentence-transformers:/nowhere"
    )
    with caplog.at_level(logging.ERROR, logger="consult.analysis.embedding_arrival"):
        proposal = create_contribution(text=TEXTS[3])
    assert proposal.id is not None and db.get(type(proposal), proposal.id) is not None
    assert db.exec(select(func.count()).select_from(EmbeddingCache)).one() == 0
    assert "left for later" in caplog.text


def test_a_database_error_is_logged_and_changes_nothing(
    arrival_app, db, create_contribution, caplog, monkeypatch
):
    arrival_app.config["ANALYSIS_EXECUTOR"] = "inline"

    def broken(self, model, vectors):
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(DatabaseEmbeddingCache, "put_many", broken)
    with caplog.at_level(logging.ERROR, logger="consult.analysis.embedding_arrival"):
        proposal = create_contribution(text=TEXTS[4])
    assert proposal.status == "published"
    assert db.exec(select(func.count()).select_from(EmbeddingCache)).one() == 0
    assert "left for later" in caplog.text


def test_a_rolled_back_publication_starts_nothing(arrival_app, db, consultation, monkeypatch):
    from consult.common.tokens import new_tracking_token
    from consult.proposals.models import Contribution

    arrival_app.config["ANALYSIS_EXECUTOR"] = "thread"
    started = []
    monkeypatch.setattr(jobs, "start_native_thread", lambda *a, **k: started.append(a))
    db.add(
        Contribution(
            consultation_id=consultation.id, text=TEXTS[5], tracking_token=new_tracking_token()
        )
    )
    db.flush()
    db.rollback()
    db.commit()
    assert started == []
