"""Form helpers shared by blueprints."""

import unicodedata

CONTROL_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn"}
KEPT_CONTROLS = {"\n", "\t"}


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
