import logging
import re
import time
from html import unescape

import pytest
from itsdangerous import TimestampSigner

from consult.accounts import services as accounts
from consult.accounts.models import User

NEW = "un'altra frase segreta"


def _link(message) -> str:
    match = re.search(r"http://localhost(/account/reimposta/\S+)", message.get_content())
    assert match, message.get_content()
    return match.group(1)


def test_forgot_answers_the_same_whether_or_not_the_account_exists(
    client, create_user, mail_outbox
):
    create_user(email="ada@example.org")
    known = client.post("/account/password-dimenticata", data={"email": "ADA@example.org"})
    unknown = client.post("/account/password-dimenticata", data={"email": "chi@example.org"})
    assert known.status_code == unknown.status_code == 200
    assert known.get_data() == unknown.get_data()
    assert "Se l'indirizzo corrisponde a un account" in unescape(known.get_data(as_text=True))
    assert [m["To"] for m in mail_outbox] == ["ada@example.org"]
    assert mail_outbox[0]["Subject"] == "Reimposta la tua password"


def test_log_backend_writes_the_mail_but_no_working_link(app, client, create_user, caplog, db):
    """Finding 10: the default `log` backend wrote working reset links to the server log."""
    app.config["MAIL_BACKEND"] = "log"
    user = create_user(email="ada@example.org")
    with caplog.at_level(logging.INFO):
        client.post("/account/password-dimenticata", data={"email": "ada@example.org"})
        client.post("/account/conferma-email", data={"email": "ada@example.org"})
    messages = [r.getMessage() for r in caplog.records if r.name == "consult.mail"]
    assert len(messages) == 2
    assert "http://localhost/account/reimposta/[segreto omesso dal log]" in messages[0]
    assert "http://localhost/account/conferma-email/[segreto omesso dal log]" in messages[1]
    db.refresh(user)
    for token in (
        accounts.make_reset_token("test-secret", user),
        accounts.make_verification_token("test-secret", user),
    ):
        assert all(token.split(".")[0] not in message for message in messages)


def test_reset_mail_speaks_the_account_language(client, create_user, mail_outbox):
    create_user(email="ada@example.org", locale="en")
    client.post("/account/password-dimenticata", data={"email": "ada@example.org"})
    assert mail_outbox[0]["Subject"] == "Reset your password"
    assert "within 60 minutes" in mail_outbox[0].get_content()


def test_link_sets_the_password_logs_in_and_ends_other_sessions(
    app, client, auth, create_user, mail_outbox, db
):
    user = create_user(email="ada@example.org")
    other_device = app.test_client()
    other_device.post(
        "/account/accedi", data={"email": "ada@example.org", "password": "secret-password"}
    )
    assert other_device.get("/account").status_code == 200
    client.post("/account/password-dimenticata", data={"email": "ada@example.org"})
    link = _link(mail_outbox[0])
    assert client.get(link).status_code == 200
    response = client.post(link, data={"password": NEW})
    assert response.status_code == 302 and response.headers["Location"].endswith("/account")
    assert client.get("/account").status_code == 200  # logged in
    assert other_device.get("/account").status_code == 302  # logged out
    db.refresh(user)
    assert accounts.verify_password(db.get(User, user.id), NEW)
    auth.logout()
    assert auth.login("ada@example.org", NEW).status_code == 302


def test_link_works_once(client, create_user, mail_outbox):
    create_user(email="ada@example.org")
    client.post("/account/password-dimenticata", data={"email": "ada@example.org"})
    link = _link(mail_outbox[0])
    assert client.post(link, data={"password": NEW}).status_code == 302
    again = client.get(link)
    assert again.status_code == 410
    page = unescape(again.get_data(as_text=True))
    assert "già stato usato" in page and 'href="/account/password-dimenticata"' in page
    assert client.post(link, data={"password": "ancora un'altra frase"}).status_code == 410


def test_expired_link_is_refused(client, create_user, mail_outbox, monkeypatch, db):
    user = create_user(email="ada@example.org")
    client.post("/account/password-dimenticata", data={"email": "ada@example.org"})
    link = _link(mail_outbox[0])
    later = int(time.time()) + 3601
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: later)
    response = client.post(link, data={"password": NEW})
    assert response.status_code == 410
    assert "scaduto" in response.get_data(as_text=True)
    db.refresh(user)
    assert accounts.verify_password(db.get(User, user.id), "secret-password")


def test_tampered_link_is_refused(client, create_user, mail_outbox):
    create_user(email="ada@example.org")
    client.post("/account/password-dimenticata", data={"email": "ada@example.org"})
    link = _link(mail_outbox[0])
    response = client.get(link[:-3] + ("aaa" if not link.endswith("aaa") else "bbb"))
    assert response.status_code == 400
    assert "non è valido" in response.get_data(as_text=True)
    assert client.get("/account/reimposta/rubbish").status_code == 400


def test_weak_new_password_is_refused_and_the_link_still_works(client, create_user, mail_outbox):
    create_user(email="ada@example.org")
    client.post("/account/password-dimenticata", data={"email": "ada@example.org"})
    link = _link(mail_outbox[0])
    response = client.post(link, data={"password": "corta"})
    assert response.status_code == 422
    assert "almeno 10 caratteri" in response.get_data(as_text=True)
    assert client.post(link, data={"password": NEW}).status_code == 302


def test_inactive_accounts_get_no_mail(client, create_user, mail_outbox):
    create_user(email="gone@example.org", active=False)
    assert client.post("/account/password-dimenticata", data={"email": "gone@example.org"})
    assert mail_outbox == []


def test_forgot_form_validates_the_address(client, mail_outbox):
    response = client.post("/account/password-dimenticata", data={"email": "nope"})
    assert response.status_code == 422
    assert "E-mail non valida." in response.get_data(as_text=True)


@pytest.mark.rate_limited
def test_forgot_is_rate_limited(client, mail_outbox):
    statuses = [
        client.post("/account/password-dimenticata", data={"email": "x@example.org"}).status_code
        for _ in range(6)
    ]
    assert statuses == [200] * 5 + [429]
