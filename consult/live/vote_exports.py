"""A frozen priorities round as a table: CSV (`;`, BOM), XLSX and JSON, the same rows in each."""

import json
from typing import Any

from consult.common.spreadsheets import csv_bytes, xlsx_bytes
from consult.live.models import PriorityRound
from consult.live.priorities import Tally

HEADERS = ["posizione", "id_proposta", "proposta", "punti", "telefoni"]


def round_rows(tally: Tally) -> list[list[Any]]:
    return [
        [rank, row.contribution_id, row.text, row.points, row.phones]
        for rank, row in enumerate(tally.rows, start=1)
    ]


def round_csv(tally: Tally) -> bytes:
    return csv_bytes(HEADERS, round_rows(tally))


def round_xlsx(tally: Tally) -> bytes:
    return xlsx_bytes(HEADERS, round_rows(tally), sheet_title="Priorità")


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
