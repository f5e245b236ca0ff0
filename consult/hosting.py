"""Absolute links from the configured base URL, never from the request's Host header.

Password-reset and verification mails, tracking links, the API's links and the rooms' QR codes
leave the site. Built from the Host header, one forged request (``Host: evil.example``) mails a
working token to another server, or poisons a QR code that proxies cache for an hour. With
``BASE_URL`` set, every external URL starts with it whatever the request says.
"""

from typing import Any
from urllib.parse import quote, urlsplit

from flask import Flask, Response, has_request_context, request
from flask.globals import request_ctx
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from consult.framework.context import ROOT_KEY


class CanonicalFlask(Flask):
    """Flask whose external URLs come from ``BASE_URL`` when it is configured."""

    def handle_http_exception(self, e: HTTPException) -> Any:
        """A host outside TRUSTED_HOSTS leaves no URL adapter, so no page template can build
        its links: answer in plain text rather than fail inside the error page."""
        if has_request_context() and request_ctx.url_adapter is None:
            message = _("Richiesta non valida: questo indirizzo non è servito da questo sito.")
            return Response(message, status=e.code or 400, mimetype="text/plain")
        return super().handle_http_exception(e)

    def url_for(
        self,
        /,
        endpoint: str,
        *,
        _anchor: str | None = None,
        _method: str | None = None,
        _scheme: str | None = None,
        _external: bool | None = None,
        **values: Any,
    ) -> str:
        base = self.config.get("BASE_URL")
        external = _external if _external is not None else not has_request_context()
        if not base or not external:
            return super().url_for(
                endpoint,
                _anchor=_anchor,
                _method=_method,
                _scheme=_scheme,
                _external=_external,
                **values,
            )
        return base.rstrip("/") + self._app_relative(endpoint, _anchor, _method, values)

    def _app_relative(
        self, endpoint: str, anchor: str | None, method: str | None, values: dict[str, Any]
    ) -> str:
        """The URL's path, query and anchor below the application's root."""
        if has_request_context():
            url = super().url_for(endpoint, _anchor=anchor, _method=method, **values)
            # below the site's root: a consultation's /c/<slug> prefix stays in the path
            root = request.environ.get(ROOT_KEY, request.script_root)
            return url[len(root) :] if root and url.startswith(root) else url
        self.inject_url_defaults(endpoint, values)
        path = self.url_map.bind("localhost", script_name="/").build(
            endpoint, values, method=method
        )
        if anchor is not None:
            path += "#" + quote(anchor, safe="%!#$&'()*+,/:;=?@")
        return path


def base_url_problem(value: str) -> str | None:
    """Why a configured base URL cannot be used, or None when it can."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return "BASE_URL must be an absolute http(s) URL such as https://partecipa.example.it"
    if parts.query or parts.fragment:
        return "BASE_URL must not carry a query or a fragment"
    return None
