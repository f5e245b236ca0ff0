"""Planners' exports (CSV, XLSX, JSON) and the printable consultation report (HTML, PDF)."""

import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    render_template,
    request,
    stream_with_context,
)
from flask_babel import gettext as _

from consult import db
from consult.accounts.auth import role_required
from consult.common.sheet_web import sheet_words
from consult.config import ROOT
from consult.framework.context import current_consultation
from consult.meetings import live_outcomes
from consult.planning.exports import (
    chosen_statuses,
    csv_chunks,
    export_rows,
    iter_export_rows,
    write_xlsx,
)
from consult.planning.report import build_report

bp = Blueprint("reports", __name__, url_prefix="/pianificazione")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_PIECE = 256 * 1024


@bp.get("/esporta.<fmt>")
@role_required("planner")
def export(fmt: str):
    """Proposals in the statuses ticked (`?stato=published&stato=pending`; published by
    default), as JSON with codes or as a spreadsheet in the user's language."""
    if fmt not in ("csv", "xlsx", "json"):
        abort(404)
    consultation = current_consultation()
    threshold = current_app.config["OBJECTIVE_THRESHOLD"]
    statuses = chosen_statuses(request.args.getlist("stato"))
    filename = f"proposte-{consultation.slug}-{date.today().isoformat()}.{fmt}"
    disposition = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if fmt == "json":
        rows = export_rows(db.session(), consultation, threshold=threshold, statuses=statuses)
        response = jsonify({"consultation": consultation.slug, "statuses": statuses, "items": rows})
        response.headers.update(disposition)
        return response
    stream = _csv_stream if fmt == "csv" else _xlsx_stream
    return Response(
        stream_with_context(stream(consultation, threshold, statuses)),
        mimetype="text/csv" if fmt == "csv" else XLSX_TYPE,
        headers=disposition,
    )


def _csv_stream(consultation, threshold: float, statuses) -> Iterator[str]:
    """The CSV as it is read, in its own read-only session (the request's is committed first)."""
    words = sheet_words()
    with db.standalone_session() as session:
        rows = iter_export_rows(session, consultation, threshold=threshold, statuses=statuses)
        yield from csv_chunks(session, rows, words, framework_id=consultation.framework_id)


def _xlsx_stream(consultation, threshold: float, statuses) -> Iterator[bytes]:
    """The write-only workbook built on disk, then sent in pieces."""
    words = sheet_words()
    with db.standalone_session() as session, tempfile.TemporaryFile() as file:
        rows = iter_export_rows(session, consultation, threshold=threshold, statuses=statuses)
        write_xlsx(session, rows, file, words, framework_id=consultation.framework_id)
        file.seek(0)
        while piece := file.read(XLSX_PIECE):
            yield piece


@bp.get("/rapporto")
@role_required("planner")
def report():
    return render_template("reports/report.html", **_report_context())


@bp.get("/rapporto.pdf")
@role_required("planner")
def report_pdf():
    try:
        from weasyprint import HTML
    except (ImportError, OSError):  # WeasyPrint needs Pango from the operating system
        current_app.logger.warning("PDF report unavailable: WeasyPrint or Pango missing")
        return render_template("reports/pdf_unavailable.html"), 503
    html = render_template("reports/report_pdf.html", **_report_context())
    pdf = HTML(
        string=html, base_url=ROOT.as_uri() + "/", url_fetcher=_static_only_fetcher()
    ).write_pdf()
    consultation = current_consultation()
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="rapporto-{consultation.slug}.pdf"'},
    )


def _report_context() -> dict:
    consultation = current_consultation()
    data = build_report(
        db.session(),
        consultation,
        threshold=current_app.config["OBJECTIVE_THRESHOLD"],
        off_strategy_label=_("Fuori strategia"),
        unmapped_label=_("Non assegnate"),
        no_territory_label=_("Territorio non indicato"),
    )
    return {
        "consultation": consultation,
        "report": data,
        "today": date.today(),
        "share_mode": "riga",
        "votes": live_outcomes.closed_votes(db.session(), consultation_id=consultation.id),
    }


def _static_only_fetcher():
    """A WeasyPrint fetcher reading our static files from disk and nothing from the network."""
    from weasyprint.urls import URLFetcher

    class StaticOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            path = Path(parts.path).resolve()
            if parts.scheme != "file" or not path.is_relative_to(ROOT / "static"):
                raise ValueError(f"refused to fetch {url}")
            return super().fetch(url, headers)

    return StaticOnlyFetcher(allowed_protocols=("file",))
