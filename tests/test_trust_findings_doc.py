"""docs/trust-findings.md names, for every finding of issue 17, tests that exist."""

import re

from consult.config import ROOT

DOC = ROOT / "docs" / "trust-findings.md"
REFERENCE = re.compile(r"`(tests/[\w/]+\.py)?::(\w+)`")


def test_every_test_the_findings_note_names_exists():
    text = DOC.read_text(encoding="utf-8")
    path, missing, named = None, [], 0
    for file, name in REFERENCE.findall(text):
        path = file or path  # "`::name`" continues the file named just before
        assert path, name
        named += 1
        if not re.search(rf"^(async )?def {name}\(", (ROOT / path).read_text(), re.MULTILINE):
            missing.append(f"{path}::{name}")
    assert missing == []
    assert named > 60


def test_the_note_covers_findings_one_to_ten():
    headings = re.findall(r"^## (\d+)\. ", DOC.read_text(encoding="utf-8"), re.MULTILINE)
    assert headings == [str(n) for n in range(1, 11)]
