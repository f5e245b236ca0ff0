"""Outgoing e-mail: written to the log in development, sent by SMTP in production, kept in
memory in tests. Plain text only; callers render the body in the recipient's language."""

import logging
import smtplib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

logger = logging.getLogger("consult.mail")
if logger.level == logging.NOTSET:  # the log backend must be visible without logging set-up
    logger.setLevel(logging.INFO)

BACKENDS = ("log", "smtp", "memory")


class MailError(RuntimeError):
    """The message could not be handed to the mail server."""


@dataclass(frozen=True)
class MailSettings:
    backend: str = "log"
    sender: str = "consult@localhost"
    server: str = "localhost"
    port: int = 25
    username: str | None = None
    password: str | None = None
    use_tls: bool = False
    outbox: list[EmailMessage] = field(default_factory=list)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> "MailSettings":
        """Read the MAIL_* settings (the web layer passes the app's config in)."""
        backend = config.get("MAIL_BACKEND", "log")
        if backend not in BACKENDS:
            raise MailError(f"Unknown MAIL_BACKEND {backend!r}; use one of {', '.join(BACKENDS)}")
        return cls(
            backend=backend,
            sender=config.get("MAIL_FROM", "consult@localhost"),
            server=config.get("MAIL_SERVER", "localhost"),
            port=int(config.get("MAIL_PORT", 25)),
            username=config.get("MAIL_USERNAME"),
            password=config.get("MAIL_PASSWORD"),
            use_tls=bool(config.get("MAIL_USE_TLS", False)),
            outbox=config.get("MAIL_OUTBOX", []),
        )


def build_message(settings: MailSettings, *, to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    return message


REDACTED = "[segreto omesso dal log]"


def send(
    settings: MailSettings, *, to: str, subject: str, body: str, redact: tuple[str, ...] = ()
) -> EmailMessage:
    """Deliver one plain-text message through the configured backend.

    `redact` names the secrets in the body (reset and verification tokens): the `log` backend
    writes the message without them, so the server log never holds a working link.
    """
    message = build_message(settings, to=to, subject=subject, body=body)
    if settings.backend == "memory":
        settings.outbox.append(message)
    elif settings.backend == "smtp":
        _send_smtp(settings, message)
    else:
        logger.info("E-mail to %s - %s\n%s", to, subject, _redacted(body, redact))
    return message


def _redacted(text: str, secrets: tuple[str, ...]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text


def _send_smtp(settings: MailSettings, message: EmailMessage) -> None:
    try:
        with smtplib.SMTP(settings.server, settings.port, timeout=20) as smtp:
            if settings.use_tls:
                smtp.starttls()
            if settings.username:
                smtp.login(settings.username, settings.password or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(
            f"SMTP delivery to {settings.server}:{settings.port} failed: {exc}"
        ) from exc


@contextmanager
def connection(settings: MailSettings) -> Iterator[Callable[[EmailMessage], None]]:
    """One open connection for a batch of messages: yields the function that sends one."""
    if settings.backend != "smtp":
        yield lambda message: _deliver_locally(settings, message)
        return
    try:
        smtp = smtplib.SMTP(settings.server, settings.port, timeout=20)
        if settings.use_tls:
            smtp.starttls()
        if settings.username:
            smtp.login(settings.username, settings.password or "")
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"SMTP server {settings.server}:{settings.port}: {exc}") from exc

    def send_one(message: EmailMessage) -> None:
        try:
            smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            raise MailError(f"SMTP delivery failed: {exc}") from exc

    try:
        yield send_one
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()


def _deliver_locally(settings: MailSettings, message: EmailMessage) -> None:
    if settings.backend == "memory":
        settings.outbox.append(message)
    else:
        logger.info(
            "E-mail to %s - %s\n%s", message["To"], message["Subject"], message.get_content()
        )
