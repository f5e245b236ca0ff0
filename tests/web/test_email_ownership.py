"""An e-mail address counts only once its owner opened the signed link mailed to it (finding 1).

Before: registering the address that signed an anonymous proposal gave its name, text, status,
rejection reason and private tracking link in "download my data", and deleting that account
erased the real author's authorship.
"""

import json
import re
import time
from html import unescape

from itsdangerous import TimestampSigner
from sqlmodel import select

from consult.accounts import services as accounts
from consult.accounts.models import User
from consult.common.models import AuditLog, utcnow
from consult.proposals.models import Contribution
from tests.consultation_client import HERE

VICTIM = "vera.autrice@example.org"
STRONG = "una frase lunga e facile"


def _register(client, email=VICTIM, name="Intruso"):
    data = {"email": email, "display_name": name, "password": STRONG, "privacy": "y"}
    return client.post("/account/registrati", data=data)


def _verification_path(message) -> str:
    match = re.search(r"http://localhost(/account/conferma-email/\S+)", message.get_content())
    assert match, message.get_content()
    return match.group(1)


def _signed_proposal(create_contribution):
    return create_contribution(
        text="Proposta anonima firmata: più corse dei bus serali in valle.",
        author_name="Vera Autrice",
        author_email=VICTIM,
        status="rejected",
        rejection_reason="Fuori tema per questa consultazione.",
    )


def _my_data(client) -> tuple[dict, str]:
    response = client.get("/account/i-miei-dati.json")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    return json.loads(body), body


def test_registration_mails_a_link_that_verifies_the_address(client, db, smtp_server):
    response = _register(client, email="nuova@example.org")
    assert response.status_code == 200
    assert "Controlla la posta" in unescape(response.get_data(as_text=True))
    user = db.exec(select(User)).one()
    assert user.email_verified_at is None
    (message,) = smtp_server.wait_for(1)
    assert message["To"] == "nuova@example.org"
    assert message["Subject"] == "Conferma il tuo indirizzo e-mail"
    answer = client.get(_verification_path(message))
    assert answer.status_code == 200
    assert "Indirizzo confermato" in unescape(answer.get_data(as_text=True))
    db.refresh(user)
    assert user.email_verified_at is not None
    assert db.exec(select(AuditLog).where(AuditLog.action == "user.email-verified")).one()
    assert client.get(_verification_path(message)).status_code == 200  # again: harmless


def test_a_tampered_verification_link_is_refused_in_italian(client, db, mail_outbox):
    _register(client, email="nuova@example.org")
    path = _verification_path(mail_outbox[0])
    response = client.get(path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB"))
    assert response.status_code == 400
    page = unescape(response.get_data(as_text=True))
    assert "Questo link per confermare l'indirizzo e-mail non è valido" in page
    assert 'href="/account/conferma-email"' in page
    assert db.exec(select(User)).one().email_verified_at is None


def test_a_link_signed_for_another_purpose_does_not_verify(client, db, create_user):
    user = create_user(email="ada@example.org")
    reset = accounts.make_reset_token("test-secret", user)
    assert client.get(f"/account/conferma-email/{reset}").status_code == 400
    db.refresh(user)
    assert user.email_verified_at is None


def test_an_expired_verification_link_is_refused_in_italian(client, db, mail_outbox, monkeypatch):
    _register(client, email="nuova@example.org")
    path = _verification_path(mail_outbox[0])
    later = int(time.time()) + 3 * 24 * 3600 + 1
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: later)
    response = client.get(path)
    assert response.status_code == 410
    page = unescape(response.get_data(as_text=True))
    assert "è scaduto: chiedine uno nuovo" in page
    assert db.exec(select(User)).one().email_verified_at is None


def test_registering_someone_elses_address_gives_nothing_of_theirs(
    client, auth, db, create_contribution, mail_outbox
):
    signed = _signed_proposal(create_contribution)
    assert _register(client).status_code == 200
    assert auth.login(VICTIM, STRONG).status_code == 302  # the password is the intruder's
    data, body = _my_data(client)
    assert data["proposals"] == []
    for secret in (signed.tracking_token, "Vera Autrice", "Fuori tema", "bus serali"):
        assert secret not in body
    assert client.post("/account/elimina", data={"password": STRONG}).status_code == 302
    db.expire_all()
    kept = db.get(Contribution, signed.id)
    assert (kept.author_name, kept.author_email) == ("Vera Autrice", VICTIM)


def test_once_verified_the_proposals_signed_with_the_address_are_the_accounts(
    client, auth, db, create_contribution, mail_outbox
):
    signed = _signed_proposal(create_contribution)
    _register(client)
    auth.login(VICTIM, STRONG)
    assert client.get(_verification_path(mail_outbox[0])).status_code == 200
    data, _ = _my_data(client)
    assert [p["id"] for p in data["proposals"]] == [signed.id]
    assert data["account"]["email_verified_at"]
    client.post("/account/elimina", data={"password": STRONG})
    db.expire_all()
    kept = db.get(Contribution, signed.id)
    assert (kept.author_name, kept.author_email, kept.text) == (None, None, signed.text)


def test_the_account_page_offers_the_link_again_until_verified(
    client, auth, db, create_user, mail_outbox
):
    user = create_user(email="ada@example.org")
    auth.login("ada@example.org")
    page = unescape(client.get("/account").get_data(as_text=True))
    assert "Non hai ancora confermato questo indirizzo" in page
    assert 'action="/account/conferma-email"' in page
    answer = client.post("/account/conferma-email", data={"email": "ada@example.org"})
    assert answer.status_code == 200
    assert [m["To"] for m in mail_outbox] == ["ada@example.org"]
    client.get(_verification_path(mail_outbox[0]))
    page = unescape(client.get("/account").get_data(as_text=True))
    assert "Non hai ancora confermato" not in page
    client.post("/account/conferma-email", data={"email": "ada@example.org"})
    assert len(mail_outbox) == 1  # verified: no more links
    db.refresh(user)
    assert user.email_verified


def test_a_tracking_link_attaches_a_proposal_to_the_account(
    client, auth, db, create_user, create_contribution
):
    create_user(email="ada@example.org")  # unverified: only the link proves the proposal hers
    anonymous = create_contribution(author_name="Ada")
    auth.login("ada@example.org")
    page = client.get(f"/traccia/{anonymous.tracking_token}").get_data(as_text=True)
    assert f'action="{HERE}/traccia/{anonymous.tracking_token}/collega"' in page
    assert _my_data(client)[0]["proposals"] == []
    response = client.post(f"/traccia/{anonymous.tracking_token}/collega")
    assert response.status_code == 303
    assert [p["id"] for p in _my_data(client)[0]["proposals"]] == [anonymous.id]


def test_a_tracking_link_cannot_take_a_proposal_from_its_authors_account(
    client, auth, db, create_user, create_contribution
):
    author = create_user(email="autrice@example.org")
    theirs = create_contribution(author_id=author.id)
    create_user(email="altro@example.org")
    auth.login("altro@example.org")
    response = client.post(f"/traccia/{theirs.tracking_token}/collega", follow_redirects=True)
    assert "appartiene già a un altro account" in unescape(response.get_data(as_text=True))
    db.expire_all()
    assert db.get(Contribution, theirs.id).author_id == author.id


def test_demo_accounts_are_created_verified(app, db, runner):
    from consult.cli.demo import DEMO_ACCOUNTS, DemoReport, _ensure_accounts

    with db.begin():
        users = _ensure_accounts(db, DemoReport())
    assert len(users) == len({role for _, role, _ in DEMO_ACCOUNTS})
    assert all(user.email_verified_at is not None for user in users.values())
    assert all(user.email_verified_at <= utcnow() for user in users.values())


def test_the_verification_mail_and_pages_speak_english_too(client, mail_outbox):
    client.post("/lingua", data={"lang": "en", "next": "/"})
    page = _register(client, email="new@example.org").get_data(as_text=True)
    assert "We have written to new@example.org" in page
    assert mail_outbox[0]["Subject"] == "Confirm your e-mail address"
    assert "within 72 hours" in mail_outbox[0].get_content()
    answer = client.get(_verification_path(mail_outbox[0]) + "x")
    assert "is not valid" in answer.get_data(as_text=True)


def test_a_password_reset_through_the_mailed_link_also_verifies_the_address(
    client, db, create_user, mail_outbox
):
    user = create_user(email="ada@example.org")
    client.post("/account/password-dimenticata", data={"email": "ada@example.org"})
    link = re.search(r"http://localhost(/account/reimposta/\S+)", mail_outbox[0].get_content())
    assert (
        client.post(link.group(1), data={"password": "un'altra frase segreta"}).status_code == 302
    )
    db.refresh(user)
    assert user.email_verified_at is not None
