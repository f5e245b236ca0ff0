"""The strategy's versions as open data: sections, their sources, and what was said on them.

Nothing private ever appears: no author, e-mail or tracking token; pending amendments neither.
"""

from typing import Any

from sqlmodel import Session

from consult.coplanning import changes, inputs, versions
from consult.coplanning.models import StrategyVersion


def version_summary(version: StrategyVersion) -> dict[str, Any]:
    return {
        "number": version.number,
        "status": version.status,
        "note": version.note,
        "published_at": version.published_at.isoformat() if version.published_at else None,
    }


def version_detail(db: Session, version: StrategyVersion) -> dict[str, Any]:
    """A public version with each section's Markdown, cited inputs and decided amendments."""
    base = versions.previous_public(db, version)
    by_key = {c.key: c for c in changes.compare(db, base, version) if c.after is not None}
    said = inputs.inputs_by_section(db, version)
    meetings = inputs.meeting_titles(db, {c.meeting_id for s in said for c in s.comments})
    return {
        **version_summary(version),
        "previous": base.number if base else None,
        "sections": [
            {
                "key": item.section.key,
                "title": item.section.title,
                "markdown": item.section.body,
                "changed": by_key[item.section.key].changed if base else None,
                "inputs": [
                    {"kind": cited.kind, "id": cited.id}
                    for cited in by_key[item.section.key].inputs
                ],
                "amendments": [
                    {"id": a.id, "status": a.status, "text": a.text, "reason": a.decision_reason}
                    for a in item.decided
                ],
                "meeting_comments": [
                    {"id": c.id, "meeting": meetings.get(c.meeting_id, ""), "text": c.text}
                    for c in item.comments
                ],
            }
            for item in said
        ],
    }
