"""The phone's proposal form sent by htmx: one request, the page (and its feed stream) stays.

The answer is the form's fragment: the receipt of what was stored with its private tracking
link, and a blank form for the next proposal; errors come back in the same fragment with what
was typed. Without JavaScript the form still posts and redirects to the receipt page.
"""

import re

from sqlmodel import func, select

from consult.proposals.models import Contribution

HX = {"HX-Request": "true"}
TEXT = "Servono più educatori di strada nei quartieri periferici."


def _key(html: str) -> str:
    return re.search(r'name="idempotency_key" type="hidden" value="([^"]+)"', html).group(1)


def _count(db) -> int:
    return db.exec(select(func.count()).select_from(Contribution)).one()


def _post(phone, code, key, text=TEXT, **extra):
    data = {"text": text, "territory": "1", "idempotency_key": key, **extra}
    return phone.post(f"/live/{code}", data=data, headers=HX)


def test_a_sent_proposal_comes_back_as_its_receipt_and_a_blank_form(app, db, create_live_session):
    live = create_live_session(code="HTX234")
    phone = app.test_client()
    page = phone.get(f"/live/{live.code}").get_data(as_text=True)
    assert 'hx-post="' in page and 'id="proposta-dal-vivo"' in page
    sent = _post(phone, live.code, _key(page), consent="y")
    html = sent.get_data(as_text=True)
    assert sent.status_code == 200
    assert "<html" not in html and html.lstrip().startswith('<div id="proposta-dal-vivo">')
    stored = db.exec(select(Contribution)).one()
    assert f"/traccia/{stored.tracking_token}/ricevuta" in html
    assert "Grazie, abbiamo ricevuto la tua proposta" in html
    assert TEXT not in html  # the next form is blank...
    assert _key(html) != _key(page)  # ...with a key of its own
    assert "Hai già dato il consenso" in html and 'name="consent"' not in html
    assert re.search(r'<option selected value="1">|<option value="1" selected>', html)
    assert sent.headers["Cache-Control"] == "private, no-store"
    assert sent.headers["Referrer-Policy"] == "no-referrer"
    again = _post(phone, live.code, _key(page))  # a double tap on the first form
    assert again.status_code == 200 and _count(db) == 1
    second = _post(phone, live.code, _key(html), text=TEXT + " Anche il sabato.")
    assert second.status_code == 200 and _count(db) == 2


def test_an_invalid_proposal_comes_back_in_the_fragment_with_what_was_typed(
    app, db, create_live_session
):
    live = create_live_session(code="HTY234")
    phone = app.test_client()
    key = _key(phone.get(f"/live/{live.code}").get_data(as_text=True))
    refused = _post(phone, live.code, key)  # no consent given yet
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "<html" not in html
    assert "Serve il consenso" in html and TEXT in html and _key(html) == key
    assert _count(db) == 0


def test_an_expired_token_keeps_the_text_in_the_fragment(csrf_app, db, create_live_session):
    live = create_live_session(code="HTZ234")
    phone = csrf_app.test_client()
    key = _key(phone.get(f"/live/{live.code}").get_data(as_text=True))
    expired = _post(phone, live.code, key, consent="y", csrf_token="not-a-token")
    html = expired.get_data(as_text=True)
    assert expired.status_code == 422 and "<html" not in html
    assert "La sessione è scaduta" in html and TEXT in html
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    sent = _post(phone, live.code, key, consent="y", csrf_token=token)
    assert sent.status_code == 200 and _count(db) == 1


def test_without_htmx_the_form_still_redirects_to_the_receipt(app, db, create_live_session):
    live = create_live_session(code="HTW234")
    phone = app.test_client()
    key = _key(phone.get(f"/live/{live.code}").get_data(as_text=True))
    data = {"text": TEXT, "territory": "1", "idempotency_key": key, "consent": "y"}
    sent = phone.post(f"/live/{live.code}", data=data)
    assert sent.status_code == 303 and "/ricevuta" in sent.headers["Location"]
