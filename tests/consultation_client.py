"""A test client that asks a consultation's pages at their canonical ``/c/<slug>/`` address.

Tests name a consultation's page by its path inside the consultation (``/proposte/nuova``);
this client sends it where the site serves it, under the default consultation's prefix, so the
tests exercise the real addresses instead of the redirects of the old ones. Site-wide pages,
paths already under ``/c/`` and the site's home (``/``, the list of consultations) are sent
as written; with no consultation loaded nothing is rewritten.
"""

from typing import Any

from flask.testing import FlaskClient
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from consult.consultation_urls import SITE_HOME, is_scoped
from consult.framework import consultations


class ConsultationClient(FlaskClient):
    def open(self, *args: Any, **kwargs: Any):
        if args and isinstance(args[0], str):
            args = (self.canonical(args[0], kwargs.get("method", "GET")), *args[1:])
        return super().open(*args, **kwargs)

    def canonical(self, url: str, method: str) -> str:
        path = url.split("?", 1)[0]
        if not path.startswith("/") or path.startswith("/c/"):
            return url
        try:
            endpoint, _ = self.application.url_map.bind("localhost").match(path, method=method)
        except (HTTPException, RequestRedirect):
            return url
        if endpoint == SITE_HOME or not is_scoped(endpoint):
            return url
        engine = self.application.extensions["consult.engine"]
        try:
            with self.application.app_context(), Session(engine) as session:
                default = consultations.current(
                    session, self.application.config["CONSULTATION_SLUG"]
                )
        except SQLAlchemyError:  # a test of the database down: the site answers for itself
            return url
        slug = default.slug if default is not None else None
        return f"/c/{slug}{url}" if slug else url


# The test consultation's prefix (tests/factories.py names it piemonte-2018, the default slug).
HERE = "/c/piemonte-2018"
