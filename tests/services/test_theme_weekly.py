"""Theme figures come from grouped SQL: equal to counting the members one by one."""

import random
from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlmodel import col, select

from consult.analysis import theme_decisions, theme_stats
from consult.proposals.models import PARTICIPANT_ROLES, Contribution


def _by_hand(db, theme):
    """The theme's figures counted in Python over its member proposals."""
    ids = theme_decisions.member_ids(db, theme)
    members = db.exec(select(Contribution).where(col(Contribution.id).in_(ids))).all()
    weeks = Counter((c.created_at - timedelta(days=c.created_at.weekday())).date() for c in members)
    return members, weeks


def test_weekly_series_from_one_query_equal_the_members_one_by_one(
    db, create_contribution, create_analysis, create_theme
):
    rng = random.Random(7)
    start = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    proposals = [
        create_contribution(
            f"Proposta {i} sui servizi del territorio.",
            created_at=start + timedelta(days=rng.randrange(90), hours=rng.randrange(16)),
        )
        for i in range(60)
    ]
    run = create_analysis()
    samples = [rng.sample(proposals, rng.randrange(2, 20)) for _ in range(5)]
    themes = [create_theme(run, f"Tema {n}", members=m) for n, m in enumerate(samples)]
    # proposals both in a theme and in the one merged into it count once
    absorbed = list({p.id: p for p in [*rng.sample(proposals, 8), *samples[0][:2]]}.values())
    merged = create_theme(run, "Assorbito", members=absorbed, status="merged")
    merged.merged_into_id = themes[0].id
    db.add(merged)
    db.commit()
    empty = create_theme(run, "Vuoto")
    ids = [t.id for t in [*themes, empty]]

    found = theme_stats.weekly_by_theme(db, ids)

    assert set(found) == set(ids)
    for theme in [*themes, empty]:
        members, weeks = _by_hand(db, theme)
        assert {w: n for w, n in found[theme.id].weeks if n} == dict(weeks), theme.label
        assert found[theme.id].total == len(members)
        detail = theme_stats.for_theme(db, theme_decisions.member_theme_ids(db, theme))
        assert (detail.total, detail.weeks) == (found[theme.id].total, found[theme.id].weeks)
    assert found[themes[0].id].total == len({p.id for p in [*samples[0], *absorbed]})
    assert found[empty.id].weeks == []
    assert theme_stats.weekly_by_theme(db, []) == {}


def test_a_themes_breakdowns_count_each_member_once_largest_first(
    db, create_contribution, create_analysis, create_theme, territories
):
    rng = random.Random(3)
    places = [*territories.values(), None]
    proposals = [
        create_contribution(
            f"Proposta {i} sulla casa e sul lavoro.",
            territory_id=getattr(rng.choice(places), "id", None),
            channel=rng.choice(["online", "paper", "live"]),
            participant_role=rng.choice([None, *PARTICIPANT_ROLES[:2]]),
        )
        for i in range(50)
    ]
    run = create_analysis()
    theme = create_theme(run, "Casa", members=proposals[:30])
    merged = create_theme(run, "Lavoro", members=proposals[20:45], status="merged")
    merged.merged_into_id = theme.id
    db.add(merged)
    db.commit()

    stats = theme_stats.for_theme(db, theme_decisions.member_theme_ids(db, theme))

    members = proposals[:45]
    assert stats.total == 45
    names = {t.id: t.name for t in territories.values()}
    expected = Counter(names.get(p.territory_id, "") for p in members)
    assert dict(stats.territory) == dict(expected)
    assert dict(stats.channel) == dict(Counter(p.channel for p in members))
    assert dict(stats.role) == dict(Counter(p.participant_role or "" for p in members))
    counts = [n for _name, n in stats.territory]
    assert counts == sorted(counts, reverse=True)
    assert theme_stats.for_theme(db, [create_theme(run, "Vuoto").id]).total == 0
