"""Rate limits on what one person can repeat: submit, support, comment, log in, live submit.

Each family is called up to its limit, then once more: the extra request gets 429 with a
Retry-After and a message in the UI's language, and stores nothing.
"""

from html import unescape
from itertools import count

import pytest
from sqlalchemy import func
from sqlmodel import select

from consult.proposals.models import Comment, Contribution, Support

MESSAGES = {
    "it": "Troppe richieste in poco tempo: riprova tra qualche minuto.",
    "en": "Too many requests in a short time: try again in a few minutes.",
}
_keys = count()


def _proposal(_world):
    return "/proposte/nuova", {
        "text": "Servono più educatori nei centri diurni per i ragazzi.",
        "territory": "torino",
        "role": "operatore-sociale",
        "consent": "y",
        "idempotency_key": f"key-{next(_keys):028d}",
    }


def _support(world):
    return f"/proposte/{world['proposal'].id}/sostieni", {}


def _comment(world):
    return f"/proposte/{world['proposal'].id}/commenti", {"text": "Sono d'accordo."}


def _login(_world):
    return "/account/accedi", {"email": "nessuno@example.org", "password": "sbagliata"}


def _live(world):
    return f"/live/{world['live'].code}", {
        "text": "Servono più educatori di strada nei quartieri.",
        "territory": "1",
        "working_group": "0",
        "consent": "y",
        "idempotency_key": f"live-key-{next(_keys):020d}",
    }


# family: (request builder, allowed per minute, model counted, rows stored by the allowed ones)
FAMILIES = {
    "submit": (_proposal, 10, Contribution, 10),
    "support": (_support, 30, Support, 1),  # one person supports once, however often they ask
    "comment": (_comment, 10, Comment, 10),
    "login": (_login, 10, None, 0),
    "live": (_live, 20, Contribution, 20),
}


@pytest.fixture
def world(db, consultation, create_contribution, create_live_session):
    return {"proposal": create_contribution(), "live": create_live_session()}


def _stored(db, model, world) -> int:
    if model is None:
        return 0
    query = select(func.count()).select_from(model)
    if model is Contribution:
        query = query.where(Contribution.id != world["proposal"].id)
    return db.exec(query).one()


def _send(client, request):
    url, data = request
    return client.post(url, data=data)


@pytest.mark.rate_limited
@pytest.mark.parametrize("language", ["it", "en"])
@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_one_request_too_many_gets_429_in_the_ui_language(app, db, world, family, language):
    build, allowed, model, stored = FAMILIES[family]
    client = app.test_client()
    client.post("/lingua", data={"lang": language})
    if family == "live":
        client.get(build(world)[0])  # a phone opens the form first and gets its join cookie
    statuses = [_send(client, build(world)).status_code for _ in range(allowed)]
    assert 429 not in statuses and all(s < 500 for s in statuses), statuses
    response = _send(client, build(world))
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert MESSAGES[language] in unescape(response.get_data(as_text=True))
    assert _stored(db, model, world) == stored
