from html import unescape

from sqlmodel import func, select

from consult.accounts.models import User
from consult.common.models import AuditLog

STRONG = "una frase lunga e facile"


def _register(client, **fields):
    data = {"email": "nuova@example.org", "display_name": "Nuova", "password": STRONG}
    data["privacy"] = "y"
    data.update(fields)
    return client.post("/account/registrati", data={k: v for k, v in data.items() if v})


def _count(db) -> int:
    return db.exec(select(func.count()).select_from(User)).one()


def test_register_creates_an_unverified_participant_and_asks_to_check_the_mail(
    client, auth, db, mail_outbox
):
    response = _register(client, email="Nuova@Example.org")
    assert response.status_code == 200
    assert "Abbiamo scritto a nuova@example.org" in unescape(response.get_data(as_text=True))
    user = db.exec(select(User)).one()
    assert (user.email, user.display_name, user.role, user.email_verified_at) == (
        "nuova@example.org",
        "Nuova",
        "participant",
        None,
    )
    assert user.password_hash != STRONG
    assert db.exec(select(AuditLog).where(AuditLog.action == "user.created")).one()
    assert [m["To"] for m in mail_outbox] == ["nuova@example.org"]
    # not logged in by registering (the answer must equal the one for a taken address)
    assert client.get("/account").status_code == 302
    assert auth.login("nuova@example.org", STRONG).status_code == 302
    assert "nuova@example.org" in client.get("/account").get_data(as_text=True)


def test_register_keeps_the_language_chosen_before(client, db):
    client.post("/lingua", data={"lang": "en", "next": "/"})
    _register(client)
    assert db.exec(select(User)).one().locale == "en"


def test_register_keeps_the_browser_language(client, db):
    client.post(
        "/account/registrati",
        headers={"Accept-Language": "en-GB,en;q=0.9"},
        data={"email": "a@example.org", "password": STRONG, "privacy": "y"},
    )
    assert db.exec(select(User)).one().locale == "en"


def test_register_page_links_to_login_and_header_offers_registration(client):
    page = client.get("/account/registrati").get_data(as_text=True)
    assert "Registrati" in page and 'href="/account/accedi"' in page


def test_weak_passwords_are_refused_with_reasons_and_nothing_stored(client, db):
    cases = {
        "corta1": "almeno 10 caratteri",
        "password123": "troppo comune",
        "aaaaaaaaaaaa": "troppo comune",
        "nuova@example.org": "uguale all'indirizzo e-mail",
    }
    for password, message in cases.items():
        response = _register(client, password=password)
        assert response.status_code == 422, password
        page = unescape(response.get_data(as_text=True))
        assert message in page, password
        assert 'value="nuova@example.org"' in page  # what was typed stays
    assert _count(db) == 0


def test_privacy_consent_and_valid_email_are_required(client, db):
    response = _register(client, privacy="")
    assert response.status_code == 422
    assert "devi accettare l'informativa sulla privacy" in unescape(response.get_data(as_text=True))
    response = _register(client, email="non-una-mail")
    assert response.status_code == 422
    assert "E-mail non valida." in response.get_data(as_text=True)
    assert _count(db) == 0


def test_duplicate_email_gets_a_neutral_answer_and_the_owner_an_e_mail(
    client, db, create_user, mail_outbox
):
    owner = create_user(email="ada@example.org", display_name="Ada")
    response = _register(client, email="ADA@example.org", display_name="Intruso")
    assert response.status_code == 200
    page = unescape(response.get_data(as_text=True))
    assert "Abbiamo scritto a ada@example.org" in page
    assert _count(db) == 1
    db.refresh(owner)
    assert owner.display_name == "Ada"
    assert [m["To"] for m in mail_outbox] == ["ada@example.org"]
    assert mail_outbox[0]["Subject"] == "Hai già un account"
    assert "/account/password-dimenticata" in mail_outbox[0].get_content()


def test_logged_in_users_are_sent_to_their_account(client, auth, create_user):
    create_user(email="ada@example.org")
    auth.login("ada@example.org")
    response = client.get("/account/registrati")
    assert response.status_code == 302 and response.headers["Location"].endswith("/account")
