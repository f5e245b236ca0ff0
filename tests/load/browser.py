"""A minimal browser for load tests: its own cookies, GETs a form, POSTs it back (stdlib only)."""

import http.client
from dataclasses import dataclass
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit


@dataclass(frozen=True)
class Reply:
    status: int
    location: str
    body: str
    content_type: str
    retry_after: str | None


class _HiddenInputs(HTMLParser):
    """Collect the hidden inputs of a page (CSRF token, idempotency key)."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}

    def handle_starttag(self, tag, attrs) -> None:
        fields = dict(attrs)
        if tag == "input" and fields.get("type") == "hidden" and fields.get("name"):
            self.values.setdefault(fields["name"], fields.get("value") or "")


def hidden_inputs(html: str) -> dict[str, str]:
    parser = _HiddenInputs()
    parser.feed(html)
    return parser.values


class Browser:
    """One visitor: keeps the cookies the server sets, as a phone's browser does."""

    def __init__(self, base_url: str, timeout: float = 60.0) -> None:
        parts = urlsplit(base_url)
        self.host, self.port, self.timeout = parts.hostname, parts.port, timeout
        self.cookies: dict[str, str] = {}

    def get(self, path: str) -> Reply:
        return self._request("GET", path)

    def post(self, path: str, form: dict[str, str]) -> Reply:
        body = urlencode(form).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        return self._request("POST", path, body, headers)

    def open_form(self, path: str) -> dict[str, str]:
        """GET a form page and return its hidden fields; fail loudly on anything but 200."""
        reply = self.get(path)
        if reply.status != 200:
            raise AssertionError(f"GET {path}: {reply.status}")
        return hidden_inputs(reply.body)

    def _request(self, method, path, body=None, headers=None) -> Reply:
        headers = {"Accept-Language": "it", "Connection": "close", **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            return Reply(
                response.status,
                response.getheader("Location", ""),
                text,
                response.getheader("Content-Type", ""),
                response.getheader("Retry-After"),
            )
        finally:
            connection.close()
