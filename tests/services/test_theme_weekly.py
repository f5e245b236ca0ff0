"""The themes' list computes each theme's weekly series in SQL, equal to the per-theme path."""

import random
from datetime import UTC, datetime, timedelta

from consult.analysis import theme_decisions, theme_stats


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
        expected = theme_stats.for_contributions(db, theme_decisions.member_ids(db, theme))
        assert found[theme.id].weeks == expected.weeks, theme.label
        assert found[theme.id].total == expected.total
    assert found[themes[0].id].total == len({p.id for p in [*samples[0], *absorbed]})
    assert found[empty.id].weeks == []
    assert theme_stats.weekly_by_theme(db, []) == {}
