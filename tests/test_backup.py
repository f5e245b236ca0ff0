"""`consult export-all` then `consult import-all` into an empty database gives identical data."""

import json
import os

import pytest
from sqlalchemy import select, text
from sqlmodel import Session, SQLModel
from sqlmodel import select as select_models

from consult import create_app
from consult.accountability.models import Response
from consult.analysis.models import (
    AnalysisRun,
    ContributionTheme,
    EmbeddingCache,
    ObjectiveMapping,
    Theme,
)
from consult.common.models import AuditLog
from consult.framework import administration
from consult.framework.models import Consultation
from consult.live.models import LivePhone, LivePoll, PollAnswer, PriorityBallot, PriorityRound
from consult.meetings.models import LiveSession, MeetingRegistration
from consult.notifications.models import Follow, Notification
from consult.proposals import search as proposal_search
from consult.proposals.models import AbuseReport, Comment, Contribution, Support

pytestmark = pytest.mark.slow  # exports and re-imports every table

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "sqlite://")


def _dump(engine) -> dict[str, list[tuple]]:
    with engine.connect() as connection:
        return {
            table.name: [
                tuple(row)
                for row in connection.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in SQLModel.metadata.sorted_tables
        }


def _rich_data(runner, db, create_user):
    result = runner.invoke(args=["demo", "--no-themes"])
    assert result.exit_code == 0, result.output
    user = create_user(display_name="Zoë «test»")
    first, second = db.exec(select_models(Contribution).order_by(Contribution.id).limit(2)).all()
    second.status, second.merged_into_id = "merged", first.id
    first.merged_into_id = None
    db.add(second)
    db.add(Support(contribution_id=first.id, user_id=user.id))
    db.add(Support(contribution_id=first.id, browser_token="anon-1"))
    comment = Comment(contribution_id=first.id, text="D'accordo: servono più fondi.\nGrazie")
    db.add(comment)
    db.flush()
    db.add(AbuseReport(contribution_id=first.id, reason="spam", reporter_token="f" * 64))
    db.add(AbuseReport(comment_id=comment.id, reason="offensivo: «insulti»", reporter_id=user.id))
    db.add(
        Response(
            consultation_id=first.consultation_id,
            contribution_id=first.id,
            status="accolta",
            text="La Regione finanzia 12 nuovi centri — già dal 2019.",
            published_at=first.created_at,
        )
    )
    db.add(
        AuditLog(
            actor_id=user.id,
            action="contribution.corrected",
            entity_type="contribution",
            entity_id=str(first.id),
            before={"text": "servno più fondi"},
            after={"text": "servono più fondi", "note": "città ✓"},
        )
    )
    db.add(EmbeddingCache(model="lsa", text_hash="a" * 64, dim=3, vector=b"\x00\x01\xff"))
    follow = Follow(email="zoë@example.org", kind="proposal", target_id=first.id, locale="it")
    db.add(follow)
    db.flush()
    db.add(
        Notification(
            email=follow.email,
            event_key=f"answer:{first.id}",
            kind="answer",
            follow_id=follow.id,
            payload={"text": "La Regione risponde — «sì»", "ids": [first.id]},
            last_error="SMTP 451: riprova",
        )
    )
    run = AnalysisRun(consultation_id=first.consultation_id, params={"seed": 42}, is_current=True)
    db.add(run)
    db.commit()
    theme = Theme(
        consultation_id=first.consultation_id,
        run_id=run.id,
        stable_key="t-1",
        model_topic=0,
        label="casa",
        keywords=["casa", "affitto"],
        summary=[{"text": "Servono case.", "cites": [first.id]}],
    )
    db.add(theme)
    db.commit()
    db.add(
        ContributionTheme(
            contribution_id=first.id,
            theme_id=theme.id,
            probability=0.8,
            is_primary=True,
            is_representative=True,
        )
    )
    db.add(ObjectiveMapping(theme_id=theme.id, objective_id=None, confidence=0.41, run_id=run.id))
    db.add(
        ObjectiveMapping(
            contribution_id=first.id,
            objective_id=first.suggested_objective_id,
            confidence=1.0,
            source="planner",
            confirmed_by_id=user.id,
            confirmed_at=first.created_at,
            run_id=run.id,
        )
    )
    _live_room_and_meeting_rows(db, first)
    consultation = db.get(Consultation, first.consultation_id)
    administration.set_default(db, consultation, configured="", actor_id=user.id)
    db.commit()


def _live_room_and_meeting_rows(db, proposal) -> None:
    """A phone's ballot and poll answer in the demo's room, and a registration to a meeting."""
    live = db.exec(select_models(LiveSession)).first()
    phone = LivePhone(live_session_id=live.id, phone_hash="p" * 64, consented_at=live.opened_at)
    ballot_round = PriorityRound(live_session_id=live.id, method="top3", status="closed",
                                 result={"phones": 1, "rows": [[proposal.id, 3]]})  # fmt: skip
    poll = LivePoll(live_session_id=live.id, kind="words", question="Una parola?", options=[])
    db.add_all([phone, ballot_round, poll])
    db.flush()
    db.add(PriorityBallot(round_id=ballot_round.id, phone_id=phone.id, allocations={"1": 3}))
    db.add(
        PollAnswer(
            poll_id=poll.id, phone_id=phone.id, choices=[], words="Più città", lemmas=["città"]
        )
    )
    db.add(MeetingRegistration(meeting_id=live.meeting_id, name="Zoë", email="zoe@example.org",
                               idempotency_key="r" * 24))  # fmt: skip


def _search_ids(app, query: str) -> set[int]:
    """What the public search finds, through the same full-text path as the list page."""
    with app.app_context(), Session(app.extensions["consult.engine"]) as session:
        consultation = session.exec(select_models(Consultation)).one()
        found = proposal_search.search(
            session, consultation, proposal_search.ProposalFilters(q=query), page=1, per_page=500
        )
        session.commit()  # SQLite indexes imported rows on first search
        return {c.id for c in found.items}


def test_export_then_import_into_an_empty_database_is_identical(
    app, runner, db, create_user, scratch_database_url, tmp_path
):
    _rich_data(runner, db, create_user)
    source = _dump(app.extensions["consult.engine"])
    empty = sorted(name for name, rows in source.items() if not rows)
    assert empty == [], f"give the export test rows in every table (empty: {empty})"
    archive = tmp_path / "consult-export.json"
    result = runner.invoke(args=["export-all", str(archive)])
    assert result.exit_code == 0, result.output
    assert json.loads(archive.read_text(encoding="utf-8"))["format"] == "consult-export"

    restored = create_app(
        {"DATABASE_URL": scratch_database_url, "SECRET_KEY": "x", "TESTING": True}
    )
    restored_runner = restored.test_cli_runner()
    assert restored_runner.invoke(args=["db", "upgrade"]).exit_code == 0
    # The source schema was made by create_all (no alembic_version): align the revisions.
    with restored.extensions["consult.engine"].begin() as connection:
        connection.execute(text("DELETE FROM alembic_version"))
    result = restored_runner.invoke(args=["import-all", str(archive)])
    assert result.exit_code == 0, result.output

    assert _dump(restored.extensions["consult.engine"]) == source
    # Full-text search (SQLite FTS5 side table, PostgreSQL expression index) finds the imports.
    for query in ("anziani", "asili nido", "affitti casa"):
        expected = _search_ids(app, query)
        assert expected and _search_ids(restored, query) == expected, query
    # New rows after a restore get fresh ids instead of colliding with imported ones.
    with Session(restored.extensions["consult.engine"]) as session:
        item = Contribution(
            consultation_id=1, text="Nuova proposta dopo il ripristino.", tracking_token="new-token"
        )
        session.add(item)
        session.commit()
        assert item.id > 304
    restored.extensions["consult.engine"].dispose()


def test_import_refuses_a_non_empty_database_and_changes_nothing(app, runner, db, tmp_path):
    assert runner.invoke(args=["demo", "--no-themes"]).exit_code == 0
    archive = tmp_path / "export.json"
    assert runner.invoke(args=["export-all", str(archive)]).exit_code == 0
    before = _dump(app.extensions["consult.engine"])
    result = runner.invoke(args=["import-all", str(archive)])
    assert result.exit_code == 2
    assert "not empty" in result.output
    assert _dump(app.extensions["consult.engine"]) == before


def test_import_refuses_files_that_are_not_exports(runner, tmp_path):
    bogus = tmp_path / "bogus.json"
    bogus.write_text('{"hello": 1}', encoding="utf-8")
    result = runner.invoke(args=["import-all", str(bogus)])
    assert result.exit_code == 2
    assert "not a consult export" in result.output
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    assert "not a readable consult export" in runner.invoke(args=["import-all", str(broken)]).output
