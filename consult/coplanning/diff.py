"""What changed between two texts, word by word, as plain segments a template escapes."""

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

_TOKENS = re.compile(r"\s+|\S+\s*")


@dataclass(frozen=True)
class Segment:
    op: str  # "equal", "removed" or "added"
    text: str


def word_diff(before: str, after: str) -> list[Segment]:
    """The segments turning `before` into `after`; each word carries the spaces after it."""
    old, new = _TOKENS.findall(before or ""), _TOKENS.findall(after or "")
    segments: list[Segment] = []
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            _append(segments, "equal", "".join(old[i1:i2]))
            continue
        if tag in ("delete", "replace"):
            _append(segments, "removed", "".join(old[i1:i2]))
        if tag in ("insert", "replace"):
            _append(segments, "added", "".join(new[j1:j2]))
    return segments


def _append(segments: list[Segment], op: str, text: str) -> None:
    if not text:
        return
    if segments and segments[-1].op == op:
        segments[-1] = Segment(op, segments[-1].text + text)
    else:
        segments.append(Segment(op, text))
