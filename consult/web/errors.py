"""Error pages in the user's language; JSON for the API."""

from flask import Flask, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException


def _messages() -> dict[int, str]:
    return {
        400: _("La richiesta non è valida."),
        403: _("Non hai i permessi per vedere questa pagina."),
        404: _("La pagina che cerchi non esiste."),
        405: _("Operazione non consentita."),
        413: _("Il contenuto inviato è troppo grande."),
        429: _("Troppe richieste in poco tempo: riprova tra qualche minuto."),
        500: _("Si è verificato un errore. Riprova più tardi."),
        503: _("Il servizio non è al momento disponibile."),
    }


def render_error(status: int, detail: str | None = None):
    message = _messages().get(status, _("Si è verificato un errore."))
    if request.path.startswith("/api/"):
        return {"error": message, "detail": detail, "status": status}, status
    return render_template(
        "errors/error.html", status=status, message=message, detail=detail
    ), status


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(_error):
        return render_error(
            400, _("La sessione è scaduta o il modulo non è valido: ricarica la pagina e riprova.")
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is not None and error.code < 400:  # routing redirects are exceptions too
            return error
        detail = (
            error.description if error.code == 400 and request.path.startswith("/api/") else None
        )
        return render_error(error.code or 500, detail)
