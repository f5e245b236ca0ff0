"""Stable theme identity across refits (Hungarian on centroid cosine + shared members)."""

import numpy as np

from nlp import DocAssignment, RunInfo, Theme, ThemeResult, match_themes


def _unit(*xs):
    v = np.array(xs, dtype=np.float32)
    return v / np.linalg.norm(v)


def _result(centroids, assignments):
    themes = [
        Theme(
            id=i,
            label=f"t{i}",
            keywords=[],
            size=assignments.count(i),
            representative_docs=[],
            centroid=c,
        )
        for i, c in enumerate(centroids)
    ]
    docs = [DocAssignment(t, [(t, 1.0)]) for t in assignments]
    run = RunInfo("h", len(docs), len(docs), "test", "small", 0, {}, {}, {})
    return ThemeResult(themes, docs, 0.0, run)


def test_matches_swapped_themes_and_gives_new_keys():
    previous = [
        ("casa", _unit(1, 0, 0), ["p1", "p2", "p3"]),
        ("anziani", _unit(0, 1, 0), ["p4", "p5"]),
        ("sparito", _unit(-1, -1, 0), ["p9"]),
    ]
    # New fit: ids swapped, one brand-new theme.
    new = _result([_unit(0, 1, 0.1), _unit(1, 0.1, 0), _unit(0, 0, 1)], [1, 1, 1, 0, 0, 2])
    keys = iter(["nuovo"])
    matches = match_themes(
        previous,
        new,
        member_ids=["p1", "p2", "p3", "p4", "p5", "p6"],
        new_key=lambda: next(keys, "x"),
    )
    by_id = {m.theme_id: m for m in matches}
    assert by_id[0].key == "anziani" and by_id[0].matched
    assert by_id[1].key == "casa" and by_id[1].matched
    assert not by_id[2].matched and by_id[2].key == "nuovo"
    assert by_id[1].score > 0.9


def test_threshold_prevents_weak_matches():
    previous = [("casa", _unit(1, 0, 0), ["a"])]
    new = _result([_unit(0.3, 1, 0)], [0])
    assert not match_themes(previous, new, member_ids=["b"], threshold=0.5)[0].matched
    assert match_themes(previous, new, member_ids=["a"], threshold=0.5)[0].matched


def test_no_previous_themes_means_all_new():
    new = _result([_unit(1, 0, 0), _unit(0, 1, 0)], [0, 1])
    matches = match_themes([], new)
    assert [m.matched for m in matches] == [False, False]
    assert len({m.key for m in matches}) == 2
