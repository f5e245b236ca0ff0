"""'Proposte simili' on PostgreSQL with pgvector: the `proposal_vector` table finds what the exact
search finds, follows publication, withdrawal and edits, and its absence falls back cleanly."""

import hashlib
import logging

import numpy as np
import pytest
from sqlalchemy import text

from consult.analysis import nlp_runtime, pgvector_index, proposal_index, similarity
from consult.analysis.embedding_store import MemoryLayer
from consult.common.tokens import new_tracking_token
from consult.proposals.models import Contribution
from tests.conftest import TEST_DATABASE_URL

TYPED = "Vorrei ricevere un SMS con le scadenze delle mie richieste"
DUPLICATE = (
    "Vorrei ricevere via email o SMS la conferma e le scadenze delle mie richieste di sostegno"
)


def _server_has_pgvector() -> bool:
    if TEST_DATABASE_URL.startswith("sqlite"):
        return False
    from sqlalchemy import create_engine

    from consult.db import normalise_url

    engine = create_engine(normalise_url(TEST_DATABASE_URL))
    try:
        with engine.connect() as connection:
            return pgvector_index.extension_available(connection)
    finally:
        engine.dispose()


needs_pgvector = pytest.mark.skipif(
    not _server_has_pgvector(), reason="PostgreSQL with the vector extension (make pgvector)"
)


class RandomEncoder:
    """Unit vectors drawn from each text's hash: a stand-in encoder with no model behind it."""

    name = "random-64"

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def encode(self, texts):
        self.calls.append(list(texts))
        return np.stack([self.vector(t) for t in texts])

    @staticmethod
    def vector(text_: str) -> np.ndarray:
        seed = int(hashlib.sha256(text_.encode()).hexdigest()[:8], 16)
        vector = np.random.default_rng(seed).normal(size=64).astype(np.float32)
        return vector / np.linalg.norm(vector)


@pytest.fixture(autouse=True)
def fresh_memory(monkeypatch):
    nlp_runtime.forget_all()
    MemoryLayer.forget_all()
    proposal_index.forget_all()
    monkeypatch.setattr(proposal_index, "EMBED_PER_SEARCH", 1000)
    yield
    MemoryLayer.forget_all()
    proposal_index.forget_all()


def _bulk(db, consultation, texts, status="published") -> list[int]:
    rows = [
        Contribution(
            consultation_id=consultation.id,
            text=t,
            status=status,
            tracking_token=new_tracking_token(),
        )
        for t in texts
    ]
    db.add_all(rows)
    db.commit()
    return [row.id for row in rows]


def _nearest(db, consultation, encoder, query, k=10) -> list[int]:
    return proposal_index.nearest_published(
        db, consultation_id=consultation.id, encoder=encoder, query=query, k=k
    )


@needs_pgvector
def test_pgvector_top_k_equals_the_exact_search_on_random_unit_vectors(db, consultation):
    encoder = RandomEncoder()
    texts = [f"Proposta numero {i} sul tema {i % 7}" for i in range(400)]
    ids = _bulk(db, consultation, texts)
    matrix = np.stack([encoder.vector(t) for t in texts])
    assert pgvector_index.usable(db)
    for seed in range(5):
        query = np.random.default_rng(100 + seed).normal(size=64).astype(np.float32)
        query /= np.linalg.norm(query)
        exact = [ids[i] for i in np.argsort(-(matrix @ query), kind="stable")[:20]]
        assert _nearest(db, consultation, encoder, query, k=20) == exact
    assert proposal_index.indexed_count(db, consultation.id, encoder) == 400
    stored = db.execute(text("SELECT count(*) FROM proposal_vector WHERE dim = 64")).scalar()
    assert stored == 400  # in the table, not in the process
    assert proposal_index._index(db, consultation.id, encoder.name).size == 0


@needs_pgvector
def test_withdrawn_hidden_and_later_published_proposals(db, consultation, create_contribution):
    encoder = RandomEncoder()
    pending = create_contribution(text="Una proposta ancora da moderare", status="pending")
    ids = _bulk(db, consultation, [f"Altra proposta {i}" for i in range(30)])
    target = db.get(Contribution, ids[3])
    query = encoder.vector(target.text)
    assert _nearest(db, consultation, encoder, query, k=1) == [target.id]
    assert pending.id not in _nearest(db, consultation, encoder, encoder.vector(pending.text))

    for status in ("withdrawn", "hidden"):
        target.status = status
        db.add(target)
        db.commit()
        assert target.id not in _nearest(db, consultation, encoder, query, k=31)
        target.status = "published"
        db.add(target)
        db.commit()
        assert _nearest(db, consultation, encoder, query, k=1) == [target.id]

    # moderated after thirty later proposals were indexed: found at the next search
    pending.status = "published"
    db.add(pending)
    db.commit()
    assert _nearest(db, consultation, encoder, encoder.vector(pending.text), k=1) == [pending.id]


@needs_pgvector
def test_an_edited_proposal_is_found_for_its_new_text(db, consultation):
    encoder = RandomEncoder()
    ids = _bulk(db, consultation, [f"Proposta {i}" for i in range(20)])
    edited = db.get(Contribution, ids[5])
    old = encoder.vector(edited.text)
    assert _nearest(db, consultation, encoder, old, k=1) == [edited.id]
    edited.text = "Un testo tutto diverso, riscritto dal partecipante"
    db.add(edited)
    db.commit()
    assert _nearest(db, consultation, encoder, encoder.vector(edited.text), k=1) == [edited.id]
    assert edited.id not in _nearest(db, consultation, encoder, old, k=3)


@needs_pgvector
def test_a_deleted_proposal_leaves_the_table(db, consultation):
    encoder = RandomEncoder()
    ids = _bulk(db, consultation, [f"Proposta {i}" for i in range(5)])
    _nearest(db, consultation, encoder, encoder.vector("Proposta 0"))
    db.delete(db.get(Contribution, ids[0]))
    db.commit()
    left = db.execute(text("SELECT contribution_id FROM proposal_vector ORDER BY 1")).scalars()
    assert list(left) == ids[1:]


@needs_pgvector
def test_the_near_duplicate_sharing_few_words_is_found_through_pgvector(
    db, consultation, create_contribution, monkeypatch
):
    monkeypatch.setattr(similarity, "RECENT", 2)  # only the index reaches the oldest one
    first = create_contribution(text=DUPLICATE)
    _bulk(
        db,
        consultation,
        [f"Servono più alloggi popolari per le famiglie sfrattate a {n}." for n in range(40)],
    )
    items = similarity.similar_contributions(
        db, consultation_id=consultation.id, text=TYPED, encoder="use"
    )
    assert items[0].contribution.id == first.id
    use = nlp_runtime.duplicate_encoder("use")
    assert pgvector_index.indexed_count(db, consultation.id, nlp_runtime.cache_key(use)) == 41


@pytest.fixture
def server_without_pgvector(db, monkeypatch):
    """The extension unknown to the server, and no table (PostgreSQL: put back afterwards)."""
    monkeypatch.setattr(pgvector_index, "extension_available", lambda connection: False)
    on_postgres = not TEST_DATABASE_URL.startswith("sqlite")
    if on_postgres:
        with db.get_bind().begin() as connection:
            pgvector_index.drop_objects(connection)
    yield
    monkeypatch.undo()
    if on_postgres:
        with db.get_bind().begin() as connection:
            pgvector_index.create_objects(connection)


def test_without_the_extension_the_in_process_index_serves(
    db, consultation, server_without_pgvector, caplog
):
    encoder = RandomEncoder()
    ids = _bulk(db, consultation, [f"Proposta {i}" for i in range(10)])
    with caplog.at_level(logging.WARNING, logger="consult.analysis.pgvector_index"):
        found = _nearest(db, consultation, encoder, encoder.vector("Proposta 4"), k=1)
        _nearest(db, consultation, encoder, encoder.vector("Proposta 5"), k=1)
    assert found == [ids[4]]
    assert proposal_index._index(db, consultation.id, encoder.name).size == 10
    said = [r.getMessage() for r in caplog.records if "pgvector" in r.getMessage()]
    if TEST_DATABASE_URL.startswith("sqlite"):
        assert said == []  # SQLite never expects it
    else:
        assert len(said) == 1 and "make pgvector" in said[0]  # once per process, not per search


@needs_pgvector
def test_a_search_does_not_wait_for_a_locked_table(db, consultation, monkeypatch):
    """A transaction holding the table (here an explicit lock; in production the caller's own
    request, whose trigger updated a row) costs the search its catch-up, not a hang."""
    monkeypatch.setattr(pgvector_index, "LOCK_TIMEOUT", "200ms")
    encoder = RandomEncoder()
    _bulk(db, consultation, [f"Proposta {i}" for i in range(5)])
    _nearest(db, consultation, encoder, encoder.vector("Proposta 0"))
    (later,) = _bulk(db, consultation, ["Una proposta arrivata dopo"])
    with db.get_bind().connect() as other:
        other.execute(text("BEGIN; LOCK TABLE proposal_vector IN EXCLUSIVE MODE"))
        found = _nearest(db, consultation, encoder, encoder.vector("Una proposta arrivata dopo"))
        assert later not in found and len(found) == 5  # the five it already held
        other.rollback()
    db.rollback()
    assert _nearest(db, consultation, encoder, encoder.vector("Una proposta arrivata dopo"))[0] == (
        later
    )


@needs_pgvector
def test_a_search_does_a_share_of_a_large_catch_up_and_the_operator_the_rest(
    app, db, consultation, runner, monkeypatch, caplog
):
    monkeypatch.setattr(pgvector_index, "CATCH_UP_ROWS", 5)
    monkeypatch.setattr(pgvector_index, "REQUEST_ROWS", 10)
    ids = _bulk(db, consultation, [f"Servono più alloggi popolari a {n}." for n in range(24)])
    use = nlp_runtime.duplicate_encoder("use")
    query = nlp_runtime.encode(use, ["Servono più alloggi popolari a 3."])[0]
    with caplog.at_level(logging.WARNING, logger="consult.analysis.pgvector_index"):
        _nearest(db, consultation, use, query)
    assert proposal_index.indexed_count(db, consultation.id, use) == 10  # two batches of five
    db.rollback()

    app.config["CONSULT_EMBEDDINGS"] = "use"
    result = runner.invoke(args=["similar", "fill"])
    assert result.exit_code == 0, result.output
    assert "14 proposals registered" in result.output
    assert proposal_index.indexed_count(db, consultation.id, use) == 24
    hnsw = db.execute(text("SELECT to_regclass('proposal_vector_hnsw_512')")).scalar()
    assert hnsw is not None
    assert _nearest(db, consultation, use, query, k=1) == [ids[3]]
