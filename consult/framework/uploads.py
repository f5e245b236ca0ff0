"""A framework file uploaded by an administrator (YAML, JSON or XLSX), validated with the
framework schema before anything is saved; each problem names its field and its position.

The workbook has a sheet per section, with a header row: ``quadro`` and ``consultazione`` as
two columns ``campo`` / ``valore``; ``assi``, ``obiettivi``, ``territori`` and ``fasi`` as one
row per item. Keywords and examples are separated by ``;``. A problem in a workbook names the
sheet, the row and the column; in YAML or JSON it names the item's place in its list.
"""

import json
import re
from dataclasses import dataclass
from typing import Any

import yaml
from pydantic import ValidationError

from consult.common.tables import TableError
from consult.common.text_rules import _l
from consult.common.xlsx_reader import read_xlsx
from consult.framework.loader import locate_errors
from consult.framework.schema import FrameworkSpec

MAX_BYTES = 2 * 1024 * 1024
KINDS = ("yaml", "json", "xlsx")

# sheet -> (section of the file, {header: field}); list fields are split on ";".
LIST_SHEETS: dict[str, tuple[str, dict[str, str]]] = {
    "assi": ("axes", {"numero": "number", "titolo": "title", "descrizione": "description"}),
    "obiettivi": (
        "objectives",
        {
            "codice": "code",
            "tipo": "kind",
            "asse": "axis",
            "titolo": "title",
            "descrizione": "description",
            "parole chiave": "keywords",
            "esempi": "examples",
        },
    ),
    "territori": (
        "territories",
        {"codice": "code", "nome": "name", "tipo": "kind", "padre": "parent"},
    ),
    "fasi": (
        "consultation.phases",
        {"nome": "name", "descrizione": "description", "inizio": "starts_on", "fine": "ends_on"},
    ),
}
FIELD_SHEETS: dict[str, tuple[str, dict[str, str]]] = {
    "quadro": (
        "",
        {"codice": "code", "titolo": "title", "descrizione": "description", "fonte": "source"},
    ),
    "consultazione": (
        "consultation",
        {"slug": "slug", "titolo": "title", "descrizione": "description"},
    ),
}
LIST_FIELDS = {"keywords", "examples"}
INTEGER_FIELDS = {"number", "axis"}


@dataclass(frozen=True)
class Text:
    """An untranslated Italian message and its parameters; views translate it."""

    message: str
    params: dict[str, Any]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file: where (`position`, `field`) and what (`message`)."""

    position: Text
    field: str
    message: Text


def text(message: str, **params: Any) -> Text:
    return Text(message, params)


class UploadError(ValueError):
    """The file cannot become a framework; `problems` say where and why."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.message.message}" for p in problems))
        self.problems = problems


@dataclass
class _Places:
    """Where each item of a workbook came from: (section, index) -> (sheet, row), and the
    header each field was read from, to name the cell of a problem."""

    rows: dict[tuple[str, int | None], tuple[str, int]]
    headers: dict[str, dict[str, str]]


def kind_of(filename: str) -> str | None:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return {"yaml": "yaml", "yml": "yaml", "json": "json", "xlsx": "xlsx"}.get(suffix)


def read(data: bytes, filename: str) -> FrameworkSpec:
    """The validated framework in the file, or UploadError with every problem located."""
    kind = kind_of(filename)
    if kind is None:
        raise _single(_l("Il file deve essere YAML (.yaml, .yml), JSON (.json) o Excel (.xlsx)."))
    if len(data) > MAX_BYTES:
        raise _single(_l("Il file è troppo grande: al massimo 2 MB."))
    places = None
    if kind == "xlsx":
        content, places = _from_workbook(data)
    else:
        content = _from_text(data, kind)
    if not isinstance(content, dict):
        raise _single(_l("Il file deve descrivere un quadro: codice, titolo e obiettivi."))
    try:
        return FrameworkSpec.model_validate(content)
    except ValidationError as exc:
        raise UploadError([_problem(loc, msg, places) for loc, msg in locate_errors(exc)]) from exc


def _single(message: str, **params: Any) -> UploadError:
    return UploadError(
        [Problem(position=text(_l("file")), field="", message=Text(message, params))]
    )


def _from_text(data: bytes, kind: str) -> Any:
    try:
        decoded = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _single(_l("Il file non è in UTF-8: salvalo di nuovo come UTF-8.")) from exc
    try:
        return json.loads(decoded) if kind == "json" else yaml.safe_load(decoded)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else getattr(exc, "lineno", None)
        message = (
            _l("Il file non è YAML valido.") if kind == "yaml" else _l("Il file non è JSON valido.")
        )
        where = text(_l("riga %(line)s"), line=line) if line else text(_l("file"))
        raise UploadError([Problem(position=where, field="", message=text(message))]) from exc


def _from_workbook(data: bytes) -> tuple[dict[str, Any], _Places]:
    try:
        sheets = read_xlsx(data, None).sheets
        content: dict[str, Any] = {}
        places = _Places(rows={}, headers={})
        for sheet in sheets:
            name = sheet.strip().lower()
            if name in FIELD_SHEETS:
                _field_sheet(read_xlsx(data, sheet), name, content, places)
            elif name in LIST_SHEETS:
                _list_sheet(read_xlsx(data, sheet), name, content, places)
    except TableError as exc:
        raise _single(exc.message, **exc.params) from exc
    if "quadro" not in {s.strip().lower() for s in sheets}:
        raise _single(_l("Manca il foglio «quadro» (codice, titolo e descrizione del quadro)."))
    return content, places


def _field_sheet(table, name: str, content: dict[str, Any], places: _Places) -> None:
    section, fields = FIELD_SHEETS[name]
    target = content if not section else content.setdefault(section, {})
    for number, row in enumerate(table.rows, start=table.first_row):
        key, value = ([*row, "", ""])[:2]
        field = fields.get(key.strip().lower())
        if field is None and key.strip():
            target[key.strip()] = value  # the schema names the unknown field
            places.rows[(f"{section}.{key.strip()}".lstrip("."), None)] = (name, number)
        elif field is not None:
            target[field] = value
            places.rows[(f"{section}.{field}".lstrip("."), None)] = (name, number)


def _list_sheet(table, name: str, content: dict[str, Any], places: _Places) -> None:
    section, fields = LIST_SHEETS[name]
    headers = {h.strip().lower(): h for h in table.headers}
    places.headers[section] = {fields.get(key, key): header for key, header in headers.items()}
    items: list[dict[str, Any]] = []
    for number, row in enumerate(table.rows, start=table.first_row):
        if not any(cell.strip() for cell in row):
            continue
        item: dict[str, Any] = {}
        for header, cell in zip(table.headers, row, strict=False):
            field = fields.get(header.strip().lower(), header.strip())
            if cell.strip() or field in ("code", "number", "title", "name", "kind"):
                item[field] = _cell(field, cell.strip())
        places.rows[(section, len(items))] = (name, number)
        items.append(item)
    if section == "consultation.phases":
        content.setdefault("consultation", {})["phases"] = items
    else:
        content[section] = items


def _cell(field: str, value: str) -> Any:
    if field in LIST_FIELDS:
        return [part.strip() for part in value.split(";") if part.strip()]
    if field in INTEGER_FIELDS and re.fullmatch(r"\d+(\.0)?", value):
        return int(float(value))
    if field in ("parent",) and not value:
        return None
    return value


ITEM = re.compile(r"^(?P<section>[a-z_.]+)\[(?P<index>\d+)\](?:\.(?P<field>[a-z_]+))?$")


def _problem(location: str, message: str, places: "_Places | None") -> Problem:
    """Name where the problem is: a workbook's sheet, row and column, or the file's field."""
    what = _message(message)
    item = ITEM.match(location)
    if item is not None:
        section, index, field = item["section"], int(item["index"]), item["field"] or ""
        if places is None:
            where = text(
                _l("%(section)s, elemento n. %(number)s"), section=section, number=index + 1
            )
            return Problem(position=where, field=field, message=what)
        sheet, row = places.rows.get((section, index), (_sheet_of(section), 0))
        column = places.headers.get(section, {}).get(field, field)
        where = text(_l("foglio «%(sheet)s», riga %(row)s"), sheet=sheet, row=row)
        return Problem(position=where, field=column, message=what)
    section, _dot, field = location.rpartition(".")
    if places is None:
        where = text(_l("sezione «%(section)s»"), section=section) if section else text(_l("file"))
        return Problem(position=where, field=field, message=what)
    if (location, None) in places.rows:
        sheet, row = places.rows[(location, None)]
        where = text(_l("foglio «%(sheet)s», riga %(row)s"), sheet=sheet, row=row)
    else:
        where = text(_l("foglio «%(sheet)s»"), sheet=_sheet_of(section if section else location))
    return Problem(position=where, field=field, message=what)


def _sheet_of(section: str) -> str:
    for sheet, (name, _fields) in {**LIST_SHEETS, **FIELD_SHEETS}.items():
        if name == section:
            return sheet
    return "quadro"


# The schema's messages (pydantic's English and the loader's own) in the user's language.
MESSAGES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^Field required"), _l("campo obbligatorio mancante")),
    (re.compile(r"^Extra inputs are not permitted"), _l("campo sconosciuto")),
    (re.compile(r"^Input should be (?P<allowed>'.*')$"), _l("valore non ammesso: %(allowed)s")),
    (re.compile(r"^String should match pattern"), _l("solo lettere minuscole, cifre e trattini")),
    (re.compile(r"^String should have at least"), _l("non può essere vuoto")),
    (re.compile(r"^List should have at least"), _l("ne serve almeno uno")),
    (re.compile(r"^Input should be a valid integer"), _l("deve essere un numero intero")),
    (re.compile(r"^Input should be greater than or equal to (?P<n>\d+)"), _l("almeno %(n)s")),
    (re.compile(r"^Input should be a valid date"), _l("deve essere una data (AAAA-MM-GG)")),
    (re.compile(r"^Input should be a valid (string|list|dictionary)"), _l("tipo non valido")),
    (
        re.compile(r"duplicate \w+ '(?P<value>[^']*)' \(already used at (?P<other>[^)]*)\)"),
        _l("«%(value)s» è già usato in %(other)s"),
    ),
    (
        re.compile(r"axis (?P<axis>\d+) is not declared in axes"),
        _l("l'asse %(axis)s non è tra gli assi del quadro"),
    ),
    (
        re.compile(r"unknown territory code '(?P<code>[^']*)'"),
        _l("territorio superiore sconosciuto: «%(code)s»"),
    ),
]


def _message(message: str) -> Text:
    for pattern, translated in MESSAGES:
        found = pattern.search(message)
        if found:
            return Text(translated, found.groupdict())
    return text(_l("%(detail)s"), detail=message)  # a schema message without a translation
