"""Error pages in the user's language; JSON for the API."""

from contextlib import suppress

from flask import Flask, current_app, g, make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException

from consult.extensions import login_manager

# The database is unreachable (down, restarting, network) or the connection pool is exhausted:
# the request may succeed if tried again, so the answer is 503, not a 500 stack trace. Other
# database errors (integrity, programming) are bugs and stay 500s with their traceback logged.
DATABASE_OUTAGES = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError)
RETRY_AFTER_SECONDS = 30


def _messages() -> dict[int, str]:
    return {
        400: _("La richiesta non è valida."),
        403: _("Non hai i permessi per vedere questa pagina."),
        404: _("La pagina che cerchi non esiste."),
        405: _("Operazione non consentita."),
        413: _("Il contenuto inviato è troppo grande."),
        429: _("Troppe richieste in poco tempo: riprova tra qualche minuto."),
        500: _("Si è verificato un errore. Riprova più tardi."),
        503: _("Servizio non disponibile in questo momento: riprova tra qualche istante."),
    }


def render_error(status: int, detail: str | None = None):
    message = _messages().get(status, _("Si è verificato un errore."))
    if request.path.startswith("/api/"):
        return {"error": message, "detail": detail, "status": status}, status
    return render_template(
        "errors/error.html", status=status, message=message, detail=detail
    ), status


def database_unavailable(error: Exception):
    """Answer 503 with Retry-After; drop the request's broken connection first."""
    current_app.logger.warning("database unavailable (%s): %s", request.path, error)
    session = g.pop("db_session", None)
    if session is not None:
        with suppress(Exception):
            session.invalidate()
    if "_login_user" not in g:  # the page layout must not ask the database who is logged in
        g._login_user = login_manager.anonymous_user()
    detail = None
    if request.method == "POST":
        detail = _(
            "Se stavi inviando un modulo, torna indietro e invialo di nuovo tra qualche istante: "
            "non verrà registrato due volte."
        )
    response = make_response(render_error(503, detail))
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def init_app(app: Flask) -> None:
    for outage in DATABASE_OUTAGES:
        app.register_error_handler(outage, database_unavailable)

    @app.errorhandler(CSRFError)
    def csrf_error(_error):
        return render_error(
            400, _("La sessione è scaduta o il modulo non è valido: ricarica la pagina e riprova.")
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is not None and error.code < 400:  # routing redirects are exceptions too
            return error
        # A failed commit (after_request) reaches Flask as a 500 wrapping the original error.
        original = getattr(error, "original_exception", None)
        if isinstance(original, DATABASE_OUTAGES):
            return database_unavailable(original)
        detail = (
            error.description if error.code == 400 and request.path.startswith("/api/") else None
        )
        return render_error(error.code or 500, detail)
