"""A frozen priorities round or poll as a table: CSV (`;`, BOM), XLSX and JSON, the same rows."""

import json
from typing import Any

from consult.common.sheet_dialect import positional, text_columns, to_csv, to_xlsx
from consult.live.models import LivePoll, PriorityRound
from consult.live.polls import PollResult
from consult.live.priorities import Tally

HEADERS = ["posizione", "id_proposta", "proposta", "punti", "telefoni"]


def round_rows(tally: Tally) -> list[list[Any]]:
    return [
        [rank, row.contribution_id, row.text, row.points, row.phones]
        for rank, row in enumerate(tally.rows, start=1)
    ]


def round_csv(tally: Tally) -> bytes:
    return to_csv(text_columns(HEADERS), positional(round_rows(tally)))


def round_xlsx(tally: Tally) -> bytes:
    return to_xlsx(text_columns(HEADERS), positional(round_rows(tally)), sheet_title="Priorità")


def round_json(round_: PriorityRound, tally: Tally, group_name: str | None) -> bytes:
    document = {
        "round": round_.id,
        "live_session": round_.live_session_id,
        "working_group": group_name,
        "method": tally.method,
        "points_per_phone": tally.points,
        "phones_voted": tally.voters,
        "opened_at": round_.opened_at.isoformat(),
        "closed_at": round_.closed_at.isoformat() if round_.closed_at else None,
        "results": [dict(zip(HEADERS, row, strict=True)) for row in round_rows(tally)],
    }
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


POLL_HEADERS = ["risposta", "telefoni"]


def poll_rows(result: PollResult) -> list[list[Any]]:
    pairs = result.words if result.kind == "words" else result.options
    return [[label, count] for label, count in pairs]


def poll_csv(result: PollResult) -> bytes:
    return to_csv(text_columns(POLL_HEADERS), positional(poll_rows(result)))


def poll_xlsx(result: PollResult) -> bytes:
    return to_xlsx(
        text_columns(POLL_HEADERS), positional(poll_rows(result)), sheet_title="Sondaggio"
    )


def poll_json(poll: LivePoll, result: PollResult, group_name: str | None) -> bytes:
    document = {
        "poll": poll.id,
        "live_session": poll.live_session_id,
        "working_group": group_name,
        "kind": result.kind,
        "question": result.question,
        "phones_answered": result.voters,
        "opened_at": poll.opened_at.isoformat(),
        "closed_at": poll.closed_at.isoformat() if poll.closed_at else None,
        "results": [dict(zip(POLL_HEADERS, row, strict=True)) for row in poll_rows(result)],
    }
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
