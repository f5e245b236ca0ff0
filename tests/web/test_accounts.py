import pytest

from consult.accounts.models import User


def test_login_and_logout(client, auth, create_user):
    user = create_user(email="ada@example.org")
    response = auth.login("ada@example.org")
    assert response.status_code == 302
    assert "Esci" in client.get("/non-esiste").get_data(as_text=True)
    assert auth.logout().status_code == 302
    assert "Esci" not in client.get("/non-esiste").get_data(as_text=True)
    assert user.id is not None


def test_wrong_password_keeps_email_and_says_why(client, auth, create_user):
    create_user(email="ada@example.org")
    response = auth.login("ada@example.org", "wrong")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "E-mail o password non corretti." in page
    assert 'value="ada@example.org"' in page


def test_login_is_case_insensitive_on_email(auth, create_user):
    create_user(email="ada@example.org")
    assert auth.login("ADA@example.org").status_code == 302


def test_logout_invalidates_a_copied_session_cookie(app, client, auth, create_user, db):
    user = create_user(email="ada@example.org")
    auth.login("ada@example.org")
    stolen = client.get_cookie("session")
    assert stolen is not None
    auth.logout()
    thief = app.test_client()
    thief.set_cookie("session", stolen.value, domain=stolen.domain)
    assert "Esci" not in thief.get("/non-esiste").get_data(as_text=True)
    refused = thief.get("/account")
    assert refused.status_code == 302 and "/account/accedi" in refused.headers["Location"]
    db.refresh(user)
    assert db.get(User, user.id).session_version == 1


def test_inactive_users_cannot_log_in(auth, create_user):
    create_user(email="gone@example.org", active=False)
    assert auth.login("gone@example.org").status_code == 422


@pytest.mark.rate_limited
def test_login_rate_limit_answers_429_in_italian(client):
    responses = [
        client.post("/account/accedi", data={"email": "x@example.org", "password": "n"})
        for _ in range(11)
    ]
    assert [r.status_code for r in responses[:10]] == [422] * 10
    assert responses[-1].status_code == 429
    assert "Troppe richieste" in responses[-1].get_data(as_text=True)
