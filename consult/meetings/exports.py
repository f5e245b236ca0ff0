"""A meeting's or live session's items as CSV (for Excel in Italian) and XLSX, for staff.

CSV choice: UTF-8 with a BOM and `;` as delimiter. Excel with Italian regional settings (what
regional and municipal offices use) treats `,` as the decimal separator and opens a
double-clicked `;` file in columns, and the BOM makes it read accented letters as UTF-8;
LibreOffice and scripts read it as well when told the delimiter.
Cells starting with = + - @ (or tab/carriage return) get a leading apostrophe so that a
proposal cannot become a spreadsheet formula (CSV injection).
"""

import csv
import io
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, func, select

from consult.common.spreadsheets import neutralise
from consult.framework.models import Objective, Territory
from consult.meetings.models import WorkingGroup
from consult.meetings.services import stored_id
from consult.proposals.models import Contribution, Support

COLUMNS = (
    "id",
    "creato_il",
    "canale",
    "stato",
    "testo",
    "testo_originale",
    "titolo",
    "territorio",
    "gruppo_di_lavoro",
    "ruolo",
    "obiettivo_suggerito",
    "sostegni",
    "in_evidenza",
    "discusso",
    "provenienza",
    "riga_origine",
)
CSV_DELIMITER = ";"
COLUMN_WIDTHS = {
    "testo": 80,
    "testo_originale": 50,
    "titolo": 30,
    "territorio": 18,
    "gruppo_di_lavoro": 20,
    "obiettivo_suggerito": 22,
    "creato_il": 19,
}


def export_rows(
    db: Session, *, meeting_id: int, live_session_id: int | None = None
) -> list[list[Any]]:
    """One list of values per contribution, in COLUMNS order, oldest first."""
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
    names = _names(db)
    return [_row(c, supports.get(stored_id(c), 0), names) for c in items]


def _names(db: Session) -> dict[str, dict[int, str]]:
    return {
        "territory": {stored_id(t): t.name for t in db.exec(select(Territory))},
        "objective": {stored_id(o): o.code for o in db.exec(select(Objective))},
        "group": {stored_id(g): g.name for g in db.exec(select(WorkingGroup))},
    }


def _name(names: dict[int, str], key: int | None) -> str:
    return names.get(key, "") if key is not None else ""


def _row(c: Contribution, supports: int, names: dict[str, dict[int, str]]) -> list[Any]:
    provenance = c.provenance or {}
    return [
        c.id,
        _naive(c.created_at),
        c.channel,
        c.status,
        c.text,
        c.original_text or "",
        c.title or "",
        _name(names["territory"], c.territory_id),
        _name(names["group"], c.working_group_id),
        c.participant_role or "",
        _name(names["objective"], c.suggested_objective_id),
        supports,
        c.highlighted,
        c.discussed,
        str(provenance.get("source", "")),
        str(provenance.get("row", "")),
    ]


def _naive(moment: datetime | None) -> datetime | None:
    """Spreadsheets hold no time zones: times are written in UTC without one."""
    return moment.replace(tzinfo=None, microsecond=0) if moment else None


def to_csv(rows: list[list[Any]]) -> bytes:
    """UTF-8 with BOM, `;`-separated, booleans as sì/no, every formula neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([_csv_cell(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _csv_cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "sì" if value else "no"
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    return "" if value is None else neutralise(value)


def to_xlsx(rows: list[list[Any]], *, sheet_title: str = "Contributi") -> bytes:
    """An XLSX workbook: bold frozen header, sized columns, formulas neutralised."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title[:31]
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([neutralise(v) for v in row])
    sheet.freeze_panes = "A2"
    for index, name in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = COLUMN_WIDTHS.get(name, max(10, len(name) + 2))
    wrap = Alignment(wrap_text=True, vertical="top")
    for cell in sheet["E"][1:]:
        cell.alignment = wrap
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_csv() -> bytes:
    """The import template: expected headers and one example row, in the export's dialect."""
    from consult.meetings.import_mapping import TEMPLATE_HEADERS

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerow(TEMPLATE_HEADERS)
    writer.writerow(TEMPLATE_EXAMPLE)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def template_xlsx() -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from consult.meetings.import_mapping import TEMPLATE_HEADERS

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Proposte"
    sheet.append(list(TEMPLATE_HEADERS))
    sheet.append(list(TEMPLATE_EXAMPLE))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    sheet.column_dimensions["A"].width = 80
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


TEMPLATE_EXAMPLE = (
    "Aprire uno sportello unico per l'abitare in ogni distretto.",
    "Sportello abitare",
    "Torino",
    "operatore-sociale",
    "cartaceo",
    "abitare",
    "",
    "09/10/2017",
)
