"""What an import accepts in each cell: the codes, every label the product shows (in each of
its languages) and the variants people write in minutes and paper forms.

Matching is case- and accent-insensitive (`fold`). Territories also match without "Provincia
di", "Città metropolitana di", "Ambito", "Distretto di"; dates may be numeric (12/10/2017,
2017-10-12) or written out (12 ottobre 2017, lun 12 ott 2017, 12 October 2017).
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import force_locale

from consult.common.text_rules import fold
from consult.framework.labels import CHANNEL_LABELS, ROLE_LABELS
from consult.proposals.models import PARTICIPANT_ROLES

LANGUAGES = ("it", "en")
IMPORT_CHANNELS = ("meeting", "paper", "import")
CHANNEL_VARIANTS = {
    "meeting": (
        "incontro",
        "in sala",
        "sala",
        "verbale",
        "in presenza",
        "di persona",
        "tavolo",
        "laboratorio",
        "assemblea",
    ),
    "paper": (
        "carta",
        "cartaceo",
        "cartacea",
        "modulo",
        "modulo cartaceo",
        "moduli",
        "scheda",
        "schede",
        "questionario",
    ),
    "import": ("importazione", "importato", "file", "foglio"),
}
ROLE_VARIANTS = {
    "cittadino": ("cittadina", "cittadino", "cittadini", "cittadinanza", "privato cittadino"),
    "operatore-sociale": (
        "operatrice sociale",
        "operatore sociale",
        "operatori sociali",
        "assistente sociale",
        "educatore",
        "educatrice",
    ),
    "ente-locale": ("ente locale", "enti locali", "comune", "amministrazione comunale"),
    "terzo-settore": (
        "terzo settore",
        "volontariato",
        "volontario",
        "volontaria",
        "associazione",
        "cooperativa",
        "cooperativa sociale",
    ),
    "sindacato": ("sindacato", "sindacati", "sindacale", "sindacalista"),
    "servizio-civile": (
        "servizio civile",
        "giovane in servizio civile",
        "volontario in servizio civile",
        "volontaria in servizio civile",
    ),
    "altro": ("altro", "altra", "altri"),
}
# Folded words a territory's name may carry or drop: "Provincia di Asti" is Asti.
TERRITORY_PREFIXES = (
    "citta metropolitana di",
    "provincia di",
    "provincia del",
    "provincia della",
    "provincia",
    "prov di",
    "prov",
    "ambito territoriale",
    "ambito",
    "distretto di",
    "distretto",
)
MONTHS = {
    1: ("gennaio", "january"),
    2: ("febbraio", "february"),
    3: ("marzo", "march"),
    4: ("aprile", "april"),
    5: ("maggio", "may"),
    6: ("giugno", "june"),
    7: ("luglio", "july"),
    8: ("agosto", "august"),
    9: ("settembre", "september"),
    10: ("ottobre", "october"),
    11: ("novembre", "november"),
    12: ("dicembre", "december"),
}
NUMERIC_DATES = (
    "%d/%m/%Y",
    "%d/%m/%y",
    "%d-%m-%Y",
    "%d-%m-%y",
    "%d.%m.%Y",
    "%d.%m.%y",
    "%Y-%m-%d",
    "%Y/%m/%d",
)
# "12 ottobre 2017", "lunedi 12 ott 2017", "1 ottobre 2017 ore 9 30" once folded; "ottobre 12 2017".
_DAY_MONTH_YEAR = re.compile(r"(?:[a-z]+ )?(\d{1,2}) ([a-z]{3,}) (\d{4}|\d{2})(?: .*)?")
_MONTH_DAY_YEAR = re.compile(r"([a-z]{3,}) (\d{1,2}) (\d{4})(?: .*)?")
_TIME_TAIL = re.compile(r"[ T]\d{1,2}[:.]\d{2}(?:[:.]\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$")


@dataclass(frozen=True)
class Accepted:
    """One value a cell may hold, for the template and the upload page."""

    field: str
    label: str
    code: str
    kind: str = ""  # a territory's kind (province, ambito...)


def _labels(labels: dict[str, Any], code: str) -> list[str]:
    """The label of `code` in every language of the product."""
    found = []
    for language in LANGUAGES:
        with force_locale(language):
            found.append(str(labels[code]))
    return found


def _vocabulary(
    codes: Iterable[str], labels: dict[str, Any], variants: dict[str, tuple[str, ...]]
) -> dict[str, str]:
    words: dict[str, str] = {}
    for code in codes:
        for word in (code, *_labels(labels, code), *variants.get(code, ())):
            words.setdefault(fold(word), code)
    return words


def role_words() -> dict[str, str]:
    """Folded word -> role code: codes, labels in each language, common variants."""
    return _vocabulary(PARTICIPANT_ROLES, ROLE_LABELS, ROLE_VARIANTS)


def channel_words() -> dict[str, str]:
    """Folded word -> channel code, for the channels an import may carry."""
    return _vocabulary(IMPORT_CHANNELS, CHANNEL_LABELS, CHANNEL_VARIANTS)


def refused_channel_words() -> set[str]:
    """Channels the product has but an import may not claim (online, live)."""
    refused = (c for c in CHANNEL_LABELS if c not in IMPORT_CHANNELS)
    return set(_vocabulary(refused, CHANNEL_LABELS, {}))


def without_prefix(folded: str) -> str:
    """A folded territory name without "provincia di" and the like."""
    for prefix in TERRITORY_PREFIXES:
        if folded.startswith(prefix + " "):
            return folded[len(prefix) + 1 :]
    return folded


def territory_words(territories: Iterable[tuple[str, str, int]]) -> dict[str, int]:
    """Folded word -> territory id from (code, name, id): code, name, name without prefix."""
    words: dict[str, int] = {}
    rows = list(territories)
    for code, name, territory_id in rows:
        words.setdefault(fold(code), territory_id)
        words.setdefault(fold(name), territory_id)
    for _code, name, territory_id in rows:
        words.setdefault(without_prefix(fold(name)), territory_id)
    return words


def find_territory(words: dict[str, int], raw: str) -> int | None:
    folded = fold(raw)
    return words.get(folded, words.get(without_prefix(folded)))


def _month(word: str) -> int | None:
    for number, names in MONTHS.items():
        if any(name.startswith(word) for name in names) and len(word) >= 3:
            return number
    return None


def _year(text: str) -> int:
    value = int(text)
    return value + 2000 if value < 100 else value


def parse_date(raw: str) -> date | None:
    """A date as people write it, or None: numeric (with or without a time) or written out."""
    text = raw.strip()
    if not text:
        return None
    plain = _TIME_TAIL.sub("", text).strip()
    for pattern in NUMERIC_DATES:
        try:
            return datetime.strptime(plain, pattern).date()
        except ValueError:
            continue
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        pass
    folded = fold(text.replace("°", " ").replace("º", " "))
    for regex, order in ((_DAY_MONTH_YEAR, "dmy"), (_MONTH_DAY_YEAR, "mdy")):
        found = regex.fullmatch(folded)
        if not found:
            continue
        first, second, year = found.groups()
        day, month_word = (first, second) if order == "dmy" else (second, first)
        month = _month(month_word)
        if month is None:
            continue
        try:
            return date(_year(year), month, int(day))
        except ValueError:
            return None
    return None


def accepted_values(
    territories: Iterable[tuple[str, str, str]], objectives: Iterable[tuple[str, str]]
) -> list[Accepted]:
    """Every value the template lists, field by field: (label as shown, code). Territories come
    as (code, name, kind) and objectives as (code, title) from the consultation's framework."""
    with force_locale("it"):
        rows = [Accepted("channel", str(CHANNEL_LABELS[c]), c) for c in IMPORT_CHANNELS]
        rows += [Accepted("role", str(ROLE_LABELS[r]), r) for r in PARTICIPANT_ROLES]
    rows += [Accepted("territory", name, code, kind) for code, name, kind in territories]
    rows += [Accepted("objective", title, code) for code, title in objectives]
    return rows
