"""The rules a proposal's text obeys on every channel: cleaning, length, duplicate matching."""

import re
import unicodedata

CONTROL_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn"}
KEPT_CONTROLS = {"\n", "\t"}
TEXT_MIN_CHARS = 10
TEXT_MAX_CHARS = 2000


def _l(message: str) -> str:
    """Mark an Italian message for extraction; the web layer translates it when shown."""
    return message


def clean_text(value: str | None) -> str | None:
    """NFC-normalise, drop control and invisible format characters, trim; keep newlines."""
    if value is None:
        return None
    value = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
    value = "".join(
        ch
        for ch in value
        if ch in KEPT_CONTROLS or unicodedata.category(ch) not in CONTROL_CATEGORIES
    )
    return value.strip()


def text_problem(text: str) -> str | None:
    """Why a cleaned proposal text is unacceptable (an untranslated message), or None."""
    if len(text) < TEXT_MIN_CHARS:
        return _l("Il testo è troppo corto: servono almeno 10 caratteri.")
    if len(text) > TEXT_MAX_CHARS:
        return _l("Il testo è troppo lungo: al massimo 2000 caratteri.")
    if not any(ch.isalpha() for ch in text):
        return _l("Il testo deve contenere delle parole.")
    return None


def fold(value: str) -> str:
    """Case- and accent-insensitive form of a short label ("Forlì" == "forli")."""
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^\w]+", " ", plain).split())


def duplicate_key(text: str) -> str:
    """The form two texts share when they say the same words (case, accents, punctuation aside)."""
    return fold(text)
