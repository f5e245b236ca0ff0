"""The coverage matrix and its gap alerts agree with direct SQL counts."""

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from consult.framework.models import Territory
from consult.planning.coverage import UNMAPPED_CODE, Filters, build_matrix
from consult.planning.gaps import Thresholds, find_gaps

CSS = Path(__file__).resolve().parents[2] / "static" / "css" / "consult.css"


@pytest.fixture
def ambito(db, territories):
    """An ambito inside Torino: its proposals must roll up into the province."""
    item = Territory(
        framework_id=territories["torino"].framework_id,
        code="torino-sud",
        name="Ambito Torino Sud",
        kind="ambito",
        parent_id=territories["torino"].id,
    )
    db.add(item)
    db.commit()
    return item


@pytest.fixture
def seeded(create_contribution, map_contribution, objectives, territories, ambito):
    """Proposals confirmed by a planner onto known objectives, in several places and states."""
    isee, abitare = objectives["isee"], objectives["abitare"]
    plan = [
        (territories["torino"], [isee], "published", "online"),
        (territories["torino"], [isee, abitare], "published", "paper"),
        (ambito, [abitare], "published", "meeting"),
        (territories["cuneo"], [abitare], "published", "online"),
        (territories["cuneo"], [None], "published", "online"),
        (None, [isee], "published", "live"),
        (territories["cuneo"], [isee], "pending", "online"),
        (territories["cuneo"], [isee], "rejected", "online"),
    ]
    for territory, targets, status, channel in plan:
        proposal = create_contribution(
            territory_id=territory and territory.id, status=status, channel=channel
        )
        for objective in targets:
            map_contribution(proposal, objective, source="planner")
    create_contribution(territory_id=territories["cuneo"].id)  # nothing known: unassigned


SQL_BY_PROVINCE = """
SELECT COALESCE(o.code, 'fuori-strategia') AS row_code,
       COALESCE(p.code, t.code) AS column_code, COUNT(*) AS n
FROM objectivemapping m
JOIN contribution c ON c.id = m.contribution_id
JOIN territory t ON t.id = c.territory_id
LEFT JOIN territory p ON p.id = t.parent_id
LEFT JOIN objective o ON o.id = m.objective_id
WHERE c.status = 'published' AND m.source = 'planner'
GROUP BY 1, 2
"""


def test_matrix_matches_direct_sql(db, consultation, seeded):
    expected = {(r.row_code, r.column_code): r.n for r in db.execute(text(SQL_BY_PROVINCE))}
    matrix = build_matrix(db, consultation)
    for row in matrix.rows:
        for column in matrix.columns:
            if column.code == "non-indicato" or row.code == UNMAPPED_CODE:
                continue
            assert matrix.count(row.code, column.code) == expected.get(
                (row.code, column.code), 0
            ), (row.code, column.code)
    published = db.execute(text("SELECT COUNT(*) FROM contribution WHERE status='published'"))
    assert matrix.proposals == published.scalar_one() == 7
    assert matrix.count("isee", "non-indicato") == 1
    assert matrix.count(UNMAPPED_CODE, "cuneo") == 1
    assert [c.code for c in matrix.columns] == ["cuneo", "torino", "non-indicato"]
    assert {c.code: c.total for c in matrix.columns} == {"cuneo": 3, "torino": 3, "non-indicato": 1}
    torino, isee = matrix.columns[1], matrix.rows[0]
    assert matrix.row_share(isee, torino) == pytest.approx(2 / 3)
    assert matrix.column_share(isee, torino) == pytest.approx(2 / 3)


def test_matrix_by_channel_matches_direct_sql(db, consultation, seeded):
    sql = """SELECT c.channel, COUNT(*) FROM objectivemapping m
             JOIN contribution c ON c.id = m.contribution_id
             JOIN objective o ON o.id = m.objective_id
             WHERE c.status = 'published' AND o.code = 'isee' GROUP BY c.channel"""
    expected = dict(db.execute(text(sql)).all())
    matrix = build_matrix(db, consultation, dimension="channel")
    assert (
        {
            c.code: matrix.count("isee", c.code)
            for c in matrix.columns
            if matrix.count("isee", c.code)
        }
        == expected
        == {"online": 1, "paper": 1, "live": 1}
    )


def test_filters_by_period_and_meeting(
    db, consultation, create_contribution, create_meeting, map_contribution, objectives, territories
):
    meeting = create_meeting(territory_id=territories["cuneo"].id)
    early = create_contribution(
        created_at=datetime(2018, 1, 10, 12, tzinfo=UTC), territory_id=territories["cuneo"].id
    )
    late = create_contribution(
        created_at=datetime(2018, 3, 1, 9, tzinfo=UTC),
        territory_id=territories["cuneo"].id,
        meeting_id=meeting.id,
    )
    for proposal in (early, late):
        map_contribution(proposal, objectives["abitare"], source="planner")
    january = build_matrix(db, consultation, filters=Filters(date(2018, 1, 1), date(2018, 1, 10)))
    assert january.count("abitare", "cuneo") == 1
    at_meeting = build_matrix(db, consultation, filters=Filters(meeting_id=meeting.id))
    assert at_meeting.proposals == 1 and at_meeting.count("abitare", "cuneo") == 1
    assert build_matrix(db, consultation, filters=Filters(since=date(2018, 4, 1))).proposals == 0


def test_gaps_flag_quiet_objectives_territories_and_cells(
    db, consultation, create_contribution, map_contribution, objectives, territories
):
    for _ in range(6):
        proposal = create_contribution(territory_id=territories["torino"].id)
        map_contribution(proposal, objectives["abitare"], source="planner")
    for index in range(6):
        proposal = create_contribution(territory_id=territories["cuneo"].id)
        map_contribution(proposal, objectives["isee" if index else "abitare"], source="planner")
    gaps = find_gaps(build_matrix(db, consultation), Thresholds(min_proposals=6, min_share=0.5))
    kinds = [(g.kind, g.row and g.row.code, g.column and g.column.code) for g in gaps]
    assert kinds == [("objective", "isee", None), ("cell", "abitare", "cuneo")]
    assert gaps[1].actual == 1 and gaps[1].expected == pytest.approx(3.5)
    lower = find_gaps(build_matrix(db, consultation), Thresholds(min_proposals=1, min_share=0.1))
    assert [(g.kind, g.row.code, g.column.code, g.actual) for g in lower] == [
        ("cell", "isee", "torino", 0)
    ]


def test_bucket_scale_and_legend(
    db, consultation, create_contribution, map_contribution, objectives, territories
):
    for _ in range(10):
        map_contribution(
            create_contribution(territory_id=territories["torino"].id),
            objectives["isee"],
            source="planner",
        )
    map_contribution(
        create_contribution(territory_id=territories["cuneo"].id),
        objectives["isee"],
        source="planner",
    )
    matrix = build_matrix(db, consultation)
    assert matrix.bucket("isee", "torino") == 5
    assert matrix.bucket("isee", "cuneo") == 1
    assert matrix.bucket("abitare", "cuneo") == 0
    assert matrix.bucket_ranges()[-1] == (5, 9, 10)


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(first: str, second: str) -> float:
    high, low = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_heatmap_and_badge_colours_pass_wcag_aa():
    css = CSS.read_text(encoding="utf-8")
    buckets = re.findall(r"\.heat-(\d) \{ --heat-bg: (#\w{6}); --heat-fg: (#\w{6}); \}", css)
    assert [b[0] for b in buckets] == ["0", "1", "2", "3", "4", "5"]
    badges = re.findall(
        r"\.response-status-[a-z-]+ \{ background-color: (#\w{6}); "
        r"color: (#\w{6}); \}",
        css,
    )
    assert len(badges) == 5
    for background, foreground in [(b[1], b[2]) for b in buckets] + badges:
        assert _contrast(background, foreground) >= 4.5, (background, foreground)
