import logging
import smtplib

import pytest

from consult.accounts import services as accounts
from consult.accounts.models import User
from consult.common import mail


def test_log_backend_writes_the_message_at_info(caplog):
    settings = mail.MailSettings.from_config({"MAIL_BACKEND": "log"})
    with caplog.at_level(logging.INFO, logger="consult.mail"):
        mail.send(settings, to="ada@example.org", subject="Oggetto", body="Apri http://x/link")
    record = caplog.records[-1]
    assert record.levelno == logging.INFO
    assert "ada@example.org" in record.getMessage() and "http://x/link" in record.getMessage()


def test_memory_backend_keeps_an_outbox():
    outbox: list = []
    settings = mail.MailSettings.from_config(
        {"MAIL_BACKEND": "memory", "MAIL_OUTBOX": outbox, "MAIL_FROM": "noreply@regione.example"}
    )
    mail.send(settings, to="ada@example.org", subject="Città", body="Però è così.")
    assert outbox[0]["From"] == "noreply@regione.example"
    assert outbox[0]["Subject"] == "Città" and outbox[0].get_content().strip() == "Però è così."


class FakeSMTP:
    sent: list = []

    def __init__(self, host, port, timeout):
        self.calls = [("connect", host, port)]
        FakeSMTP.last = self

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def starttls(self):
        self.calls.append(("starttls",))

    def login(self, user, password):
        self.calls.append(("login", user, password))

    def send_message(self, message):
        self.calls.append(("send", message["To"]))


def test_smtp_backend_uses_tls_and_login(monkeypatch):
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    settings = mail.MailSettings.from_config(
        {
            "MAIL_BACKEND": "smtp",
            "MAIL_SERVER": "smtp.example",
            "MAIL_PORT": 587,
            "MAIL_USERNAME": "consult",
            "MAIL_PASSWORD": "pw",
            "MAIL_USE_TLS": True,
        }
    )
    mail.send(settings, to="ada@example.org", subject="s", body="b")
    assert FakeSMTP.last.calls == [
        ("connect", "smtp.example", 587),
        ("starttls",),
        ("login", "consult", "pw"),
        ("send", "ada@example.org"),
    ]


def test_smtp_failure_raises_mail_error(monkeypatch):
    def refuse(*_args, **_kwargs):
        raise ConnectionRefusedError("no server")

    monkeypatch.setattr(smtplib, "SMTP", refuse)
    settings = mail.MailSettings.from_config({"MAIL_BACKEND": "smtp"})
    with pytest.raises(mail.MailError, match="localhost:25"):
        mail.send(settings, to="a@example.org", subject="s", body="b")


def test_unknown_backend_is_refused():
    with pytest.raises(mail.MailError, match="MAIL_BACKEND"):
        mail.MailSettings.from_config({"MAIL_BACKEND": "carrier-pigeon"})


@pytest.mark.parametrize(
    "password, problem",
    [
        ("short", "too-short"),
        ("x" * 201, "too-long"),
        ("Password123", "common"),
        ("abababababab", "common"),
        ("ada@example.org", "is-email"),
        ("ADA@example.org", "is-email"),
        ("una frase lunga e facile", None),
    ],
)
def test_password_rules(password, problem):
    assert accounts.password_problem(password, "ada@example.org") == problem


def test_reset_token_dies_when_the_session_version_changes(db, create_user):
    user = create_user(email="ada@example.org")
    token = accounts.make_reset_token("k", user)
    assert accounts.user_for_reset_token(db, "k", token, 3600).id == user.id
    with pytest.raises(accounts.ResetTokenError) as wrong_key:
        accounts.user_for_reset_token(db, "other-key", token, 3600)
    assert wrong_key.value.code == "invalid"
    accounts.log_out_everywhere(db, user)
    db.commit()
    with pytest.raises(accounts.ResetTokenError) as used:
        accounts.user_for_reset_token(db, "k", token, 3600)
    assert used.value.code == "used"


def test_create_user_refuses_unknown_roles(db):
    with pytest.raises(accounts.AccountError):
        accounts.create_user(db, email="a@example.org", password="una frase lunga", role="re")
    assert db.get(User, 1) is None


def test_authenticate_checks_a_hash_even_for_unknown_addresses(db, create_user, monkeypatch):
    create_user(email="ada@example.org")
    checked = []
    real = accounts.check_password_hash
    monkeypatch.setattr(
        accounts, "check_password_hash", lambda h, p: checked.append(h) or real(h, p)
    )
    assert accounts.authenticate(db, "nessuno@example.org", "x") is None
    assert (
        accounts.authenticate(db, "ADA@example.org", "secret-password").email == "ada@example.org"
    )
    assert checked[0] == accounts._DUMMY_HASH and len(checked) == 2
