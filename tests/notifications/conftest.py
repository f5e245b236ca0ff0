"""A real SMTP server on 127.0.0.1 (aiosmtpd in a thread, a free port) for these tests."""

import socket
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """What the server received, parsed."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, _server, _session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


def start_smtp(port: int | None = None) -> tuple[Controller, Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port or free_port())
    controller.start()
    return controller, inbox


@pytest.fixture
def smtp_server():
    controller, inbox = start_smtp()
    yield controller, inbox
    controller.stop()


@pytest.fixture
def smtp_app(app, smtp_server):
    """The app sending through the local server, with a canonical base URL."""
    controller, _inbox = smtp_server
    app.config.update(
        MAIL_BACKEND="smtp",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=controller.port,
        BASE_URL="https://partecipa.example.it",
    )
    return app
