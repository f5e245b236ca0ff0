"""A meeting's or live session's items as CSV and XLSX for staff, in the product's one
spreadsheet dialect (`common/sheet_dialect.py`: `;` and a BOM, dates dd/mm/yyyy hh:mm in
Italian time, real dates and an autofilter in XLSX, formulas neutralised). Headers and values
are in the user's language, the labels the pages show, with the codes in extra columns.
"""

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, func, select

from consult.common import sheet_dialect
from consult.common.sheet_dialect import ITALIAN, Column, Words
from consult.framework.labels import CHANNEL_LABELS, PROPOSAL_STATUS_LABELS, ROLE_LABELS
from consult.framework.models import Objective, Territory
from consult.meetings.models import WorkingGroup
from consult.meetings.services import stored_id
from consult.proposals.models import Contribution, Support

CSV_DELIMITER = sheet_dialect.DELIMITER
# (key, header, width, kind): labels first, then the codes for tools.
SHEET_COLUMNS = (
    ("id", _l("N."), 8, "integer"),
    ("created_at", _l("Inserita il"), 17, "datetime"),
    ("channel_label", _l("Canale"), 20, "text"),
    ("status_label", _l("Stato"), 22, "text"),
    ("text", _l("Testo"), 80, "long-text"),
    ("original_text", _l("Testo originale"), 50, "long-text"),
    ("title", _l("Titolo"), 30, "text"),
    ("territory", _l("Territorio"), 18, "text"),
    ("group", _l("Gruppo di lavoro"), 20, "text"),
    ("role_label", _l("Ruolo di chi scrive"), 26, "text"),
    ("objective", _l("Obiettivo suggerito"), 30, "text"),
    ("supports", _l("Sostegni"), 10, "integer"),
    ("highlighted", _l("In evidenza"), 11, "boolean"),
    ("discussed", _l("Discussa"), 10, "boolean"),
    ("source", _l("Provenienza"), 14, "text"),
    ("source_row", _l("Riga del file"), 12, "text"),
    ("channel", _l("Codice canale"), 13, "text"),
    ("status", _l("Codice stato"), 12, "text"),
    ("role", _l("Codice ruolo"), 16, "text"),
    ("objective_code", _l("Codice obiettivo"), 16, "text"),
)


def sheet_columns() -> list[Column]:
    """The columns, headers in the current language."""
    return [Column(key, str(header), width, kind) for key, header, width, kind in SHEET_COLUMNS]


def export_rows(
    db: Session, *, meeting_id: int, live_session_id: int | None = None
) -> list[dict[str, Any]]:
    """One row per contribution of the meeting (or live session), oldest first."""
    query = select(Contribution).where(Contribution.meeting_id == meeting_id)
    if live_session_id is not None:
        query = query.where(Contribution.live_session_id == live_session_id)
    items = db.exec(query.order_by(col(Contribution.created_at), col(Contribution.id))).all()
    ids = [stored_id(c) for c in items]
    supports: dict[int, int] = (
        dict(
            db.exec(
                select(Support.contribution_id, func.count())
                .where(col(Support.contribution_id).in_(ids))
                .group_by(col(Support.contribution_id))
            ).all()
        )
        if ids
        else {}
    )
    names = _names(db, {c.territory_id for c in items} - {None})
    return [_row(c, supports.get(stored_id(c), 0), names) for c in items]


def _names(db: Session, territory_ids: set[int | None]) -> dict[str, dict[int, tuple[str, str]]]:
    """(label, code) of the rows' territories (not every framework's), objectives and working
    groups by id."""
    territories = select(Territory).where(col(Territory.id).in_(territory_ids))
    return {
        "territory": {stored_id(t): (t.name, t.code) for t in db.exec(territories)},
        "objective": {stored_id(o): (o.title, o.code) for o in db.exec(select(Objective))},
        "group": {stored_id(g): (g.name, "") for g in db.exec(select(WorkingGroup))},
    }


def _name(names: dict[int, tuple[str, str]], key: int | None, part: int = 0) -> str:
    return names[key][part] if key is not None and key in names else ""


def _label(labels: dict, code: str | None) -> str:
    return str(labels[code]) if code in labels else (code or "")


def _row(c: Contribution, supports: int, names: dict) -> dict[str, Any]:
    provenance = c.provenance or {}
    return {
        "id": c.id,
        "created_at": c.created_at,
        "channel_label": _label(CHANNEL_LABELS, c.channel),
        "status_label": _label(PROPOSAL_STATUS_LABELS, c.status),
        "text": c.text,
        "original_text": c.original_text or "",
        "title": c.title or "",
        "territory": _name(names["territory"], c.territory_id),
        "group": _name(names["group"], c.working_group_id),
        "role_label": _label(ROLE_LABELS, c.participant_role),
        "objective": _name(names["objective"], c.suggested_objective_id),
        "supports": supports,
        "highlighted": c.highlighted,
        "discussed": c.discussed,
        "source": str(provenance.get("source", "")),
        "source_row": str(provenance.get("row", "")),
        "channel": c.channel,
        "status": c.status,
        "role": c.participant_role or "",
        "objective_code": _name(names["objective"], c.suggested_objective_id, 1),
    }


def to_csv(rows: list[dict[str, Any]], words: Words = ITALIAN) -> bytes:
    """UTF-8 with BOM, `;`-separated, yes/no in words, every formula neutralised."""
    return sheet_dialect.to_csv(sheet_columns(), rows, words)


def to_xlsx(
    rows: list[dict[str, Any]], *, sheet_title: str = "Contributi", words: Words = ITALIAN
) -> bytes:
    """An XLSX workbook: bold frozen header, sized columns, real dates, an autofilter."""
    return sheet_dialect.to_xlsx(sheet_columns(), rows, sheet_title=sheet_title, words=words)


def template_examples(accepted: list[Any]) -> list[tuple[str, ...]]:
    """Two example rows written the way people write them: the labels the site shows, a
    province as "Provincia di ...", an objective by its title, a date in words."""
    provinces = [a for a in accepted if a.field == "territory" and a.kind == "province"]
    objectives = [a for a in accepted if a.field == "objective"]
    first = provinces[0].label if provinces else ""
    second = f"Provincia di {provinces[min(1, len(provinces) - 1)].label}" if provinces else ""
    return [
        (
            "Aprire uno sportello unico per l'abitare in ogni distretto.",
            "Sportello abitare",
            first,
            "Operatrice o operatore sociale",
            "Su carta",
            objectives[0].code if objectives else "",
            "",
            "09/10/2017",
        ),
        (
            "Più posti di servizio civile nei centri per anziani.",
            "",
            second,
            "Giovane in servizio civile",
            "Incontro sul territorio",
            objectives[-1].label if objectives else "",
            "Marco",
            "12 ottobre 2017",
        ),
    ]


def template_csv(accepted: list[Any], words: Words = ITALIAN) -> bytes:
    """The import template: expected headers and example rows, in the export's dialect."""
    from consult.meetings.import_mapping import TEMPLATE_HEADERS

    columns = sheet_dialect.text_columns(TEMPLATE_HEADERS)
    rows = sheet_dialect.positional(template_examples(accepted))
    return sheet_dialect.to_csv(columns, rows, words)


def template_xlsx(accepted: list[Any], field_labels: dict[str, str]) -> bytes:
    """The template with a second sheet listing every value each column accepts."""
    from consult.meetings.import_mapping import TEMPLATE_HEADERS

    columns = sheet_dialect.text_columns(TEMPLATE_HEADERS)
    columns[0] = Column("c0", TEMPLATE_HEADERS[0], 80, "long-text")
    values = [
        Column("field", str(_l("Colonna")), 30),
        Column("label", str(_l("Valore da scrivere")), 45),
        Column("code", str(_l("Oppure il codice")), 24),
    ]
    listed = [{"field": field_labels[a.field], "label": a.label, "code": a.code} for a in accepted]
    listed.append(
        {
            "field": field_labels["date"],
            "label": str(_l("12/10/2017, 12-10-17, 2017-10-12 o 12 ottobre 2017")),
            "code": "",
        }
    )
    return sheet_dialect.sheets_to_xlsx(
        [
            sheet_dialect.Sheet(
                str(_l("Proposte")),
                columns,
                sheet_dialect.positional(template_examples(accepted)),
            ),
            sheet_dialect.Sheet(str(_l("Valori ammessi")), values, listed),
        ]
    )


def rejected_csv(headers: list[str], rows: list[list[Any]], words: Words = ITALIAN) -> bytes:
    """The rejected rows of an import, their cells as read plus the reason, to fix and upload."""
    columns = sheet_dialect.text_columns(headers)
    return sheet_dialect.to_csv(columns, sheet_dialect.positional(rows), words)


def rejected_xlsx(headers: list[str], rows: list[list[Any]], *, sheet_title: str) -> bytes:
    columns = sheet_dialect.text_columns(headers)
    return sheet_dialect.to_xlsx(columns, sheet_dialect.positional(rows), sheet_title=sheet_title)
