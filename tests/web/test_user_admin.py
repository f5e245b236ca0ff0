from html import unescape

from sqlmodel import select

from consult.accounts.models import User
from consult.common.models import AuditLog


def _admin(client, auth, create_user):
    admin = create_user(role="admin", email="admin@example.org")
    auth.login("admin@example.org")
    return admin


def test_admin_lists_and_searches_users(client, auth, create_user):
    _admin(client, auth, create_user)
    create_user(email="ada@example.org", display_name="Ada")
    create_user(email="bruno@example.org")
    page = client.get("/admin/utenti").get_data(as_text=True)
    assert "ada@example.org" in page and "bruno@example.org" in page and "3 account" in page
    found = client.get("/admin/utenti?q=ADA").get_data(as_text=True)
    assert "ada@example.org" in found and "bruno@example.org" not in found
    assert 'href="/admin/utenti"' in client.get("/account").get_data(as_text=True)


def test_role_change_is_audited_and_logs_the_user_out(app, client, auth, create_user, db):
    admin = _admin(client, auth, create_user)
    ada = create_user(email="ada@example.org")
    device = app.test_client()
    device.post("/account/accedi", data={"email": "ada@example.org", "password": "secret-password"})
    response = client.post(f"/admin/utenti/{ada.id}/ruolo", data={"role": "planner"})
    assert response.status_code == 303
    assert "Ruolo di ada@example.org: Pianificatore." in client.get("/admin/utenti").get_data(
        as_text=True
    )
    db.refresh(ada)
    assert ada.role == "planner"
    entry = db.exec(select(AuditLog).where(AuditLog.action == "user.role-changed")).one()
    assert (entry.actor_id, entry.entity_id, entry.before, entry.after) == (
        admin.id,
        str(ada.id),
        {"role": "participant"},
        {"role": "planner"},
    )
    assert device.get("/account").status_code == 302


def test_unknown_role_is_refused_and_nothing_changes(client, auth, create_user, db):
    _admin(client, auth, create_user)
    ada = create_user(email="ada@example.org")
    assert client.post(f"/admin/utenti/{ada.id}/ruolo", data={"role": "re"}).status_code == 400
    db.refresh(ada)
    assert ada.role == "participant"
    assert db.exec(select(AuditLog)).all() == []
    assert client.post("/admin/utenti/999/ruolo", data={"role": "admin"}).status_code == 404


def test_deactivate_and_reactivate(client, auth, create_user, db):
    _admin(client, auth, create_user)
    ada = create_user(email="ada@example.org")
    assert client.post(f"/admin/utenti/{ada.id}/attivo", data={"active": "0"}).status_code == 303
    db.refresh(ada)
    assert ada.active is False
    other = client.application.test_client()
    login = other.post(
        "/account/accedi", data={"email": "ada@example.org", "password": "secret-password"}
    )
    assert login.status_code == 422
    client.post(f"/admin/utenti/{ada.id}/attivo", data={"active": "1"})
    db.refresh(ada)
    assert ada.active is True
    actions = [e.action for e in db.exec(select(AuditLog).order_by(AuditLog.id)).all()]
    assert actions == ["user.deactivated", "user.activated"]


def test_admins_cannot_demote_or_deactivate_themselves(client, auth, create_user, db):
    admin = _admin(client, auth, create_user)
    response = client.post(
        f"/admin/utenti/{admin.id}/ruolo", data={"role": "participant"}, follow_redirects=True
    )
    assert "Non puoi cambiare il tuo stesso ruolo." in unescape(response.get_data(as_text=True))
    client.post(f"/admin/utenti/{admin.id}/attivo", data={"active": "0"})
    db.refresh(admin)
    assert (admin.role, admin.active) == ("admin", True)


def test_cli_creates_the_first_admin(runner, db):
    result = runner.invoke(
        args=["users", "create", "Capo@Example.org", "--role", "admin", "--password-stdin"],
        input="una frase lunga e facile\n",
    )
    assert result.exit_code == 0, result.output
    user = db.exec(select(User)).one()
    assert (user.email, user.role) == ("capo@example.org", "admin")
    assert "una frase" not in user.password_hash


def test_cli_prompts_for_the_password(runner, db):
    result = runner.invoke(
        args=["users", "create", "ada@example.org", "--role", "planner"],
        input="una frase lunga e facile\nuna frase lunga e facile\n",
    )
    assert result.exit_code == 0, result.output
    assert db.exec(select(User)).one().role == "planner"


def test_cli_refuses_weak_passwords_duplicates_and_bad_addresses(runner, db, create_user):
    create_user(email="ada@example.org")
    cases = [
        (["ada@example.org"], "una frase lunga e facile", "already exists"),
        (["nuovo@example.org"], "corta", "at least 10 characters"),
        (["nuovo@example.org"], "password123", "too common"),
        (["non-una-mail"], "una frase lunga e facile", "not a valid e-mail"),
    ]
    for args, password, message in cases:
        result = runner.invoke(
            args=["users", "create", *args, "--password-stdin"], input=password + "\n"
        )
        assert result.exit_code == 2 and message in result.output, result.output
    assert len(db.exec(select(User)).all()) == 1
