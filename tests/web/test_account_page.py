from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from consult.accounts import services as accounts
from consult.accounts.models import User

NEW = "una nuova frase segreta"


def test_account_page_shows_the_account_and_its_actions(client, auth, create_user):
    create_user(email="ada@example.org", display_name="Ada")
    auth.login("ada@example.org")
    page = client.get("/account").get_data(as_text=True)
    for text in (
        "ada@example.org",
        "Esci da tutti i dispositivi",
        "Scarica i miei dati",
        "Elimina il mio account",
        "Cambia password",
    ):
        assert text in page
    assert 'href="/account"' in client.get("/non-esiste").get_data(as_text=True)


def test_header_offers_registration_when_logged_out(client):
    page = client.get("/non-esiste").get_data(as_text=True)
    assert 'href="/account/registrati"' in page and "Il mio account" not in page


def test_profile_language_is_used_when_logged_in(client, auth, create_user, db):
    user = create_user(email="ada@example.org")
    auth.login("ada@example.org")
    response = client.post(
        "/account/profilo", data={"profile-display_name": "Ada L.", "profile-locale": "en"}
    )
    assert response.status_code == 302
    db.refresh(user)
    assert (user.display_name, user.locale) == ("Ada L.", "en")
    assert '<html lang="en">' in client.get("/account").get_data(as_text=True)
    client.post("/lingua", data={"lang": "it", "next": "/"})  # the switch still wins
    assert '<html lang="it">' in client.get("/account").get_data(as_text=True)


def test_profile_refuses_unknown_language_and_long_names(client, auth, create_user, db):
    user = create_user(email="ada@example.org", display_name="Ada")
    auth.login("ada@example.org")
    response = client.post(
        "/account/profilo", data={"profile-display_name": "x" * 121, "profile-locale": "fr"}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "al massimo 120 caratteri" in page and "x" * 121 in page
    db.refresh(user)
    assert (user.display_name, user.locale) == ("Ada", "it")


def test_change_password_needs_the_current_one(app, client, auth, create_user, db):
    user = create_user(email="ada@example.org")
    auth.login("ada@example.org")
    other = app.test_client()
    other.post("/account/accedi", data={"email": "ada@example.org", "password": "secret-password"})
    wrong = client.post(
        "/account/password", data={"pw-current_password": "no", "pw-new_password": NEW}
    )
    assert wrong.status_code == 422
    assert "La password attuale non è corretta." in wrong.get_data(as_text=True)
    weak = client.post(
        "/account/password",
        data={"pw-current_password": "secret-password", "pw-new_password": "qwertyuiop"},
    )
    assert weak.status_code == 422 and "troppo comune" in weak.get_data(as_text=True)
    db.refresh(user)
    assert accounts.verify_password(db.get(User, user.id), "secret-password")
    ok = client.post(
        "/account/password", data={"pw-current_password": "secret-password", "pw-new_password": NEW}
    )
    assert ok.status_code == 302
    assert client.get("/account").status_code == 200  # this device continues
    assert other.get("/account").status_code == 302  # the other one is logged out
    db.expire_all()
    assert accounts.verify_password(db.get(User, user.id), NEW)


def test_logout_everywhere_kills_remember_me_cookies(app, client, auth, create_user):
    create_user(email="ada@example.org")
    phone = app.test_client()
    phone.post(
        "/account/accedi",
        data={"email": "ada@example.org", "password": "secret-password", "remember": "y"},
    )
    remember = phone.get_cookie("remember_token")
    assert remember is not None
    auth.login("ada@example.org")
    assert client.post("/account/esci-ovunque").status_code == 302
    assert client.get("/account").status_code == 302
    stolen = app.test_client()
    stolen.set_cookie("remember_token", remember.value, domain=remember.domain)
    assert stolen.get("/account").status_code == 302


def test_remember_me_cookie_is_http_only_lax_and_lasts_as_configured(app, create_user):
    create_user(email="ada@example.org")
    app.config["REMEMBER_COOKIE_SECURE"] = True
    app.config["REMEMBER_COOKIE_DURATION"] = timedelta(days=2)
    client = app.test_client()
    response = client.post(
        "/account/accedi",
        data={"email": "ada@example.org", "password": "secret-password", "remember": "y"},
    )
    header = next(
        h for h in response.headers.getlist("Set-Cookie") if h.startswith("remember_token")
    )
    assert "HttpOnly" in header and "Secure" in header and "SameSite=Lax" in header
    expires = parsedate_to_datetime(header.split("Expires=")[1].split(";")[0])
    assert abs(expires - datetime.now(UTC) - timedelta(days=2)) < timedelta(minutes=1)
