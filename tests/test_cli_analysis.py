"""`consult demo` fits the first themes once; `consult themes fit` refits; `worker` needs Redis."""

import csv

from sqlmodel import select

from consult.analysis.models import AnalysisRun, Theme
from tests.factories import CORPUS_PLACES, THEME_CORPUS


def _csv(tmp_path):
    path = tmp_path / "proposte.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "text", "objective"])
        for i, text in enumerate(t.format(place=p) for p in CORPUS_PLACES for t in THEME_CORPUS):
            writer.writerow([f"p{i}", text, ""])
    return path


def test_demo_fits_the_first_themes_once(runner, db, tmp_path):
    data = _csv(tmp_path)
    skipped = runner.invoke(args=["demo", "--data", str(data), "--no-themes"])
    assert skipped.exit_code == 0, skipped.output
    assert db.exec(select(AnalysisRun)).all() == []
    first = runner.invoke(args=["demo", "--data", str(data)])
    assert first.exit_code == 0, first.output
    assert "Theme analysis succeeded in" in first.output
    run = db.exec(select(AnalysisRun)).one()
    assert run.is_current and run.corpus_size == 24
    assert db.exec(select(Theme)).all()
    again = runner.invoke(args=["demo", "--data", str(data)])
    assert "Themes already fitted" in again.output
    assert len(db.exec(select(AnalysisRun)).all()) == 1


def test_demo_skips_themes_when_there_are_too_few_proposals(runner, db, tmp_path):
    data = tmp_path / "due.csv"
    data.write_text(
        "id,text,objective\np1,Più nidi per tutti.,\np2,Meno affitti per i giovani.,\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["demo", "--data", str(data)])
    assert result.exit_code == 0, result.output
    assert "Too few proposals to fit themes (2); skipped." in result.output


def test_worker_refuses_to_start_without_redis(runner, app):
    app.config["REDIS_URL"] = None
    result = runner.invoke(args=["worker", "--burst"])
    assert result.exit_code == 2
    assert "REDIS_URL is not set" in result.output


def test_themes_fit_makes_a_new_current_run_each_time(runner, db, theme_corpus):
    first = runner.invoke(args=["themes", "fit"])
    assert first.exit_code == 0, first.output
    assert "Theme analysis succeeded" in first.output
    second = runner.invoke(args=["themes", "fit"])
    assert second.exit_code == 0, second.output
    runs = db.exec(select(AnalysisRun).order_by(AnalysisRun.id)).all()
    assert [r.status for r in runs] == ["succeeded", "succeeded"]
    assert [r.is_current for r in runs] == [False, True]


def test_themes_fit_names_an_unknown_consultation(runner, consultation):
    result = runner.invoke(args=["themes", "fit", "--consultation", "atlantide"])
    assert result.exit_code == 2
    assert "no consultation 'atlantide'" in result.output


def test_themes_fit_that_fails_prints_the_runs_error_and_exits_1(
    runner, db, theme_corpus, monkeypatch
):
    from consult.analysis import theme_engine

    def broken(*_args, **_kwargs):
        raise RuntimeError("encoder offline")

    monkeypatch.setattr(theme_engine, "fit_themes", broken)
    result = runner.invoke(args=["themes", "fit"])
    assert result.exit_code == 1, result.output
    assert "Theme analysis failed" in result.output
    assert "Error: RuntimeError: encoder offline" in result.output
    run = db.exec(select(AnalysisRun)).one()
    assert run.status == "failed" and not run.is_current
