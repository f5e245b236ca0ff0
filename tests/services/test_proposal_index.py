"""The vector index behind 'proposte simili': it searches every published proposal, not only the
latest ones, catches up with new ones, and never shows one withdrawn since it was indexed."""

import itertools

import pytest

from consult.analysis import nlp_runtime, proposal_index, similarity
from consult.analysis.embedding_store import MemoryLayer

TYPED = "Vorrei ricevere un SMS con le scadenze delle mie richieste"
DUPLICATE = (
    "Vorrei ricevere via email o SMS la conferma e le scadenze delle mie richieste di sostegno"
)
FILLERS = [
    "Servono più alloggi popolari per le famiglie sfrattate a {}.",
    "Il servizio civile dovrebbe durare diciotto mesi anche a {}.",
    "Più ore di assistenza domiciliare agli anziani di {}.",
    "Un centro diurno per ragazzi con disabilità a {}.",
    "Bus a chiamata per raggiungere i servizi sociali da {}.",
]
TOWNS = ["Asti", "Biella", "Cuneo", "Novara", "Alba", "Bra", "Ivrea", "Acqui"]


@pytest.fixture(autouse=True)
def small_windows(monkeypatch):
    """Only the index can reach beyond the two latest proposals."""
    nlp_runtime.forget_all()
    MemoryLayer.forget_all()
    monkeypatch.setattr(similarity, "MAX_CANDIDATES", 2)
    monkeypatch.setattr(similarity, "RECENT", 2)
    yield
    MemoryLayer.forget_all()


@pytest.fixture
def crowd(create_contribution):
    """The duplicate first, then forty proposals about other things."""
    first = create_contribution(text=DUPLICATE)
    for town in TOWNS:
        for filler in FILLERS:
            create_contribution(text=filler.format(town))
    return first


def _found(db, consultation, encoder="use"):
    items = similarity.similar_contributions(
        db, consultation_id=consultation.id, text=TYPED, encoder=encoder, min_score=0.0
    )
    return [item.contribution.id for item in items]


def test_the_oldest_near_duplicate_sharing_few_words_is_found_among_all(
    db, consultation, crowd, monkeypatch
):
    monkeypatch.setattr(proposal_index, "EMBED_PER_SEARCH", 100)
    assert _found(db, consultation)[0] == crowd.id
    assert proposal_index.indexed_count(db, consultation.id, _encoder()) == 41
    assert crowd.id not in _found(db, consultation, encoder=None)  # lexical: the latest two only


def test_a_proposal_published_later_is_found_at_the_next_search(
    db, consultation, crowd, create_contribution
):
    _found(db, consultation)
    later = create_contribution(text="Mandatemi un SMS quando scadono le mie richieste di aiuto")
    for town in TOWNS[:3]:
        create_contribution(text=FILLERS[0].format(town + " alta"))
    assert later.id in _found(db, consultation)[:2]


def test_a_proposal_approved_after_a_newer_one_was_indexed_is_found(
    db, consultation, crowd, create_contribution, monkeypatch
):
    """Moderation publishes older ids: the index must not wait for ids above its mark."""
    waiting = create_contribution(
        text="Mandatemi un SMS quando scadono le mie richieste di aiuto", status="pending"
    )
    for town in TOWNS[:3]:  # newer, published at once: the latest ones are not it
        create_contribution(text=FILLERS[0].format(town + " alta"))
    _found(db, consultation)
    waiting.status = "published"
    db.add(waiting)
    db.commit()
    assert waiting.id not in _found(db, consultation)  # not looked for again yet
    monkeypatch.setattr(proposal_index, "RECONCILE_SECONDS", 0.0)
    assert waiting.id in _found(db, consultation)[:2]


def test_a_proposal_withdrawn_since_it_was_indexed_is_not_shown(db, consultation, crowd):
    assert _found(db, consultation)[0] == crowd.id
    crowd.status = "rejected"
    db.add(crowd)
    db.commit()
    assert crowd.id not in _found(db, consultation)


def test_proposals_nobody_embedded_yet_join_the_index_a_few_per_search(
    db, consultation, crowd, monkeypatch
):
    monkeypatch.setattr(proposal_index, "EMBED_PER_SEARCH", 10)
    sizes = []
    for _ in range(5):
        _found(db, consultation)
        sizes.append(proposal_index.indexed_count(db, consultation.id, _encoder()))
    assert sizes[0] == 10 and sizes[-1] == 41  # the scored candidates' vectors help it along
    assert all(a < b or a == b == 41 for a, b in itertools.pairwise(sizes))


def _encoder():
    return nlp_runtime.duplicate_encoder("use")
