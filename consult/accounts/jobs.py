"""The account e-mails (verification, password reset, "you already have an account"), sent by
the background job so that no request waits for the mail server or tells by its timing
whether an address has an account.

The request hands over only the address, the kind of mail and the site's root URL; the job
looks the address up and decides whether any mail is due.
"""

import logging
from functools import partial

from flask import Flask, current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlmodel import Session

from consult import db, jobs
from consult.accounts import services as accounts
from consult.accounts.models import User
from consult.common import mail

log = logging.getLogger(__name__)
KINDS = ("verify", "reset", "already-registered")


def enqueue_after_commit(session: Session, app: Flask, kind: str, email: str, root: str) -> None:
    """Queue the mail `kind` for `email` once the request commits (never if it rolls back)."""
    if kind not in KINDS:
        raise ValueError(f"unknown account mail {kind!r}")
    start = partial(
        jobs.enqueue,
        app,
        send_account_mail,
        kind,
        accounts.normalise_email(email),
        root,
        name=f"mail-{kind}",
        timeout=120,
        queue_name=jobs.MAIL_QUEUE,
    )
    jobs.on_commit(session, start)


def send_account_mail(kind: str, email: str, root: str) -> None:
    """The job: send the mail `kind` to the account of `email`, when one is due."""
    config = current_app.config
    with db.standalone_session() as session:
        user = accounts.find_by_email(session, email)
        due = _due(kind, user)
        if user is None or not due:
            return
        token, subject, body = _compose(kind, user, root.rstrip("/"))
    settings = mail.MailSettings.from_config(config)
    try:
        mail.send(settings, to=user.email, subject=subject, body=body, redact=(token,))
    except mail.MailError:
        log.exception("Could not send the %s e-mail to account %s", kind, user.id)


def _due(kind: str, user: User | None) -> bool:
    if user is None:
        return False
    if kind == "reset":
        return user.active
    if kind == "verify":
        return user.active and not user.email_verified
    return True


def _path(endpoint: str, **values: str) -> str:
    """A path of the site, built without a request (the root URL comes from the request)."""
    adapter = current_app.url_map.bind("localhost", script_name="/")
    return adapter.build(endpoint, values)


def _compose(kind: str, user: User, root: str) -> tuple[str, str, str]:
    """The secret in the mail (hidden from logs), its subject and its body."""
    config = current_app.config
    secret = config["SECRET_KEY"]
    with force_locale(user.locale or "it"):
        if kind == "verify":
            token = accounts.make_verification_token(secret, user)
            link = root + _path("accounts.verify_email", token=token)
            hours = config["EMAIL_VERIFICATION_MAX_AGE"] // 3600
            return token, _("Conferma il tuo indirizzo e-mail"), _verify_body(link, hours)
        if kind == "reset":
            token = accounts.make_reset_token(secret, user)
            link = root + _path("accounts.reset_password", token=token)
            minutes = config["PASSWORD_RESET_MAX_AGE"] // 60
            return token, _("Reimposta la tua password"), _reset_body(link, minutes)
        link = root + _path("accounts.forgot_password")
        return "", _("Hai già un account"), _already_registered_body(link)


def _verify_body(link: str, hours: int) -> str:
    return _(
        "Per confermare che questo indirizzo è tuo apri questo link entro %(hours)s ore:\n"
        "%(link)s\n\n"
        "Finché non lo confermi, l'indirizzo non collega al tuo account le proposte firmate "
        "con esso. Se non hai creato tu l'account, ignora questo messaggio.",
        hours=hours,
        link=link,
    )


def _reset_body(link: str, minutes: int) -> str:
    return _(
        "Qualcuno (speriamo tu) ha chiesto di reimpostare la password del tuo account.\n\n"
        "Per scegliere una nuova password apri questo link entro %(minutes)s minuti:\n"
        "%(link)s\n\n"
        "Il link funziona una sola volta. Se non sei stato tu, ignora questo messaggio: "
        "la tua password resta quella di prima.",
        minutes=minutes,
        link=link,
    )


def _already_registered_body(link: str) -> str:
    return _(
        "Qualcuno ha provato a registrarsi con il tuo indirizzo, che ha già un account.\n\n"
        "Se eri tu e non ricordi la password, scegline una nuova qui:\n%(link)s\n\n"
        "Se non eri tu, ignora questo messaggio.",
        link=link,
    )
