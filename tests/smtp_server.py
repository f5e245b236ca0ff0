"""A real SMTP server on 127.0.0.1 for tests: speaks enough of RFC 5321 for smtplib, keeps
every message it accepts, and can be slow (like a distant mail server) to show who waits."""

import socket
import threading
import time
from email import message_from_bytes, policy
from email.message import EmailMessage


class SMTPServer:
    def __init__(self, *, delay: float = 0.0) -> None:
        self.delay = delay  # seconds spent before accepting each message
        self.messages: list[EmailMessage] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._received = threading.Condition()
        self._thread = threading.Thread(target=self._serve, daemon=True, name="test-smtp")
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self._listener.accept()
            except OSError:  # closed
                return
            threading.Thread(target=self._talk, args=(connection,), daemon=True).start()

    def _talk(self, connection: socket.socket) -> None:
        with connection, connection.makefile("rb") as lines:
            connection.sendall(b"220 test-smtp ready\r\n")
            for raw in lines:
                verb = raw.decode("ascii", "replace").strip().split(" ")[0].upper()
                if verb == "DATA":
                    connection.sendall(b"354 end with <CRLF>.<CRLF>\r\n")
                    self._accept(self._read_data(lines))
                    connection.sendall(b"250 queued\r\n")
                elif verb == "QUIT":
                    connection.sendall(b"221 bye\r\n")
                    return
                else:  # EHLO, HELO, MAIL, RCPT, RSET, NOOP
                    connection.sendall(b"250 ok\r\n")

    @staticmethod
    def _read_data(lines) -> bytes:
        body = []
        for raw in lines:
            if raw in (b".\r\n", b".\n"):
                break
            body.append(raw[1:] if raw.startswith(b"..") else raw)
        return b"".join(body)

    def _accept(self, data: bytes) -> None:
        time.sleep(self.delay)
        message = message_from_bytes(data, policy=policy.default)
        with self._received:
            self.messages.append(message)  # type: ignore[arg-type]
            self._received.notify_all()

    def wait_for(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        """The messages once `count` have arrived (or what came within `timeout`)."""
        with self._received:
            self._received.wait_for(lambda: len(self.messages) >= count, timeout)
            return list(self.messages)

    def close(self) -> None:
        self._listener.close()
