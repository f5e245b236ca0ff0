"""Which spreadsheet column holds which field: guessed from Italian/English headers, editable."""

from consult.common.tabular import Table
from consult.common.text_rules import _l, fold

FIELDS = ("text", "title", "territory", "role", "channel", "objective", "author", "date")
FIELD_LABELS = {
    "text": _l("Testo della proposta"),
    "title": _l("Titolo"),
    "territory": _l("Territorio (codice o nome)"),
    "role": _l("Ruolo di chi propone"),
    "channel": _l("Canale (incontro, cartaceo, importazione)"),
    "objective": _l("Obiettivo suggerito (codice o titolo)"),
    "author": _l("Nome dell'autore"),
    "date": _l("Data (gg/mm/aaaa)"),
}
# Folded header names, most specific first; the first field to claim a column keeps it.
HEADER_SYNONYMS = {
    "text": (
        "testo",
        "proposta",
        "proposte",
        "contributo",
        "text",
        "proposal",
        "contenuto",
        "intervento",
        "osservazione",
        "suggerimento",
        "descrizione",
        "description",
    ),
    "title": ("titolo", "title", "oggetto", "subject"),
    "territory": ("territorio", "provincia", "territory", "province", "ambito", "area", "zona"),
    "role": ("ruolo", "role", "profilo", "categoria", "qualifica"),
    "channel": ("canale", "channel", "fonte", "source", "modalita"),
    "objective": ("obiettivo suggerito", "obiettivo", "objective", "suggested objective"),
    "author": ("autore", "nome", "author", "name", "nominativo", "firmatario", "nome e cognome"),
    "date": ("data", "date", "giorno", "day"),
}
TEMPLATE_HEADERS = (
    "Testo",
    "Titolo",
    "Territorio",
    "Ruolo",
    "Canale",
    "Obiettivo",
    "Autore",
    "Data",
)

Mapping = dict[str, int | None]


class MappingError(ValueError):
    """A mapping that cannot be used; `message` is an untranslated Italian text."""

    def __init__(self, message: str, **params: str) -> None:
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params


def guess_mapping(headers: list[str]) -> Mapping:
    """Match each field to a column by exact header name, then by a header starting with it."""
    folded = [fold(h) for h in headers]
    mapping: Mapping = dict.fromkeys(FIELDS)
    taken: set[int] = set()
    for exact in (True, False):
        for name in FIELDS:
            if mapping[name] is not None:
                continue
            for synonym in HEADER_SYNONYMS[name]:
                index = _find(folded, synonym, exact, taken)
                if index is not None:
                    mapping[name] = index
                    taken.add(index)
                    break
    return mapping


def _find(folded: list[str], synonym: str, exact: bool, taken: set[int]) -> int | None:
    for index, header in enumerate(folded):
        if index in taken:
            continue
        if header == synonym or (not exact and header.startswith(synonym + " ")):
            return index
    return None


def mapping_from_form(table: Table, values: dict[str, str]) -> Mapping:
    """Column indexes chosen in the mapping form ("" means not in the file)."""
    mapping: Mapping = dict.fromkeys(FIELDS)
    for name in FIELDS:
        raw = (values.get(name) or "").strip()
        if raw.isascii() and raw.isdigit() and int(raw) < len(table.headers):
            mapping[name] = int(raw)
    return check_mapping(mapping)


def mapping_from_names(table: Table, pairs: dict[str, str]) -> Mapping:
    """Start from the guess and override fields by header name (CLI `--map text=Testo`)."""
    mapping = guess_mapping(table.headers)
    folded = [fold(h) for h in table.headers]
    for name, header in pairs.items():
        if name not in FIELDS:
            raise MappingError(_l("Campo sconosciuto: %(field)s."), field=name)
        if not header:
            mapping[name] = None
            continue
        if fold(header) not in folded:
            raise MappingError(_l("La colonna «%(column)s» non è nel file."), column=header)
        mapping[name] = folded.index(fold(header))
    return check_mapping(mapping)


def check_mapping(mapping: Mapping) -> Mapping:
    """The text column is required and a column may feed only one field."""
    if mapping.get("text") is None:
        raise MappingError(_l("Indica quale colonna contiene il testo delle proposte."))
    used = [index for index in mapping.values() if index is not None]
    if len(used) != len(set(used)):
        raise MappingError(_l("La stessa colonna è assegnata a più campi."))
    return mapping
