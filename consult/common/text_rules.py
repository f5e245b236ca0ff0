"""The rules a proposal's text obeys on every channel: cleaning, length, duplicate matching."""

import re
import unicodedata

CONTROL_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn"}
KEPT_CONTROLS = {"\n", "\t"}
TEXT_MIN_CHARS = 10
TEXT_MAX_CHARS = 2000
# Real writing stacks at most a few accents on a letter; more is "Zalgo" text drawn over pages.
MAX_COMBINING_MARKS = 3
# A word: two letters in a row (Unicode letters, any script); "!!!! ????" or "1234 55" has none.
WORD = re.compile(r"[^\W\d_]{2,}")


def _l(message: str) -> str:
    """Mark an Italian message for extraction; the web layer translates it when shown."""
    return message


def clean_text(value: str | None) -> str | None:
    """NFC-normalise, drop control and invisible format characters and piled-up accents, trim.

    Newlines and tabs stay; a letter keeps at most `MAX_COMBINING_MARKS` combining marks.
    """
    if value is None:
        return None
    value = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
    kept = []
    marks = 0
    for ch in value:
        if ch not in KEPT_CONTROLS and unicodedata.category(ch) in CONTROL_CATEGORIES:
            continue
        marks = marks + 1 if unicodedata.combining(ch) else 0
        if marks <= MAX_COMBINING_MARKS:
            kept.append(ch)
    return "".join(kept).strip()


def text_problem(text: str | None) -> str | None:
    """Why a cleaned proposal text is unacceptable (an untranslated message), or None.

    The one rule for every channel (online, live, fast entry, import) and for moderators'
    corrections: 10 to 2000 characters with at least one real word in them.
    """
    if not text:
        return _l("Scrivi la tua proposta.")
    if len(text) < TEXT_MIN_CHARS:
        return _l("La proposta è troppo corta: almeno 10 caratteri.")
    if len(text) > TEXT_MAX_CHARS:
        return _l("La proposta è troppo lunga: al massimo 2000 caratteri.")
    if not WORD.search(text):
        return _l("Scrivi la proposta con delle parole, non solo simboli o emoji.")
    return None


def fold(value: str) -> str:
    """Case- and accent-insensitive form of a short label ("Forlì" == "forli")."""
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^\w]+", " ", plain).split())


def duplicate_key(text: str) -> str:
    """The form two texts share when they say the same words (case, accents, punctuation aside)."""
    return fold(text)
