from sqlmodel import col, select

from consult.accounts.models import User
from consult.framework.models import Objective
from consult.proposals.models import Contribution


def test_framework_load_command_and_broken_file(runner, db, tmp_path):
    result = runner.invoke(args=["framework", "load", "piemonte-2018"])
    assert result.exit_code == 0, result.output
    assert "Framework 'piemonte-2018' loaded" in result.output
    broken = tmp_path / "broken.yaml"
    broken.write_text("code: rotto\ntitle: Rotto\nobjectives:\n  - code: a\n    kind: sectoral\n")
    result = runner.invoke(args=["framework", "load", str(broken)])
    assert result.exit_code == 2
    assert "nothing was changed" in result.output
    assert "objectives[0].title: Field required" in result.output
    assert len(db.exec(select(Objective)).all()) == 8


def test_demo_is_idempotent_and_prints_demo_accounts(runner, db, tmp_path):
    data = tmp_path / "proposte.csv"
    data.write_text(
        "id,text,objective\n"
        'p1,"Servono più alloggi sociali per le famiglie sfrattate.",abitare\n'
        'p2,"Un regolamento ISEE uguale in tutta la regione.",isee\n',
        encoding="utf-8",
    )
    first = runner.invoke(args=["demo", "--data", str(data), "--no-themes"])
    assert first.exit_code == 0, first.output
    assert "DEMO DATA ONLY" in first.output
    for email in (
        "admin@example.org",
        "facilitatore@example.org",
        "pianificatore@example.org",
        "partecipante@example.org",
        "moderatore@example.org",
    ):
        assert email in first.output
    assert "consult-demo" in first.output
    second = runner.invoke(args=["demo", "--data", str(data), "--no-themes"])
    assert second.exit_code == 0, second.output
    # 2 from the file and 6 waiting for moderation in the demo live session DEMA42
    assert "0 proposals added (8 in all)" in second.output
    assert "/live/DEMA42" in second.output
    assert (
        len(db.exec(select(User)).all()) == 5
    )  # admin, facilitator, planner, moderator, participant
    waiting = db.exec(select(Contribution).where(Contribution.channel == "live")).all()
    assert len([c for c in waiting if c.live_session_id]) == 6
    assert {c.status for c in waiting if c.live_session_id} == {"pending"}
    contributions = db.exec(
        select(Contribution).where(col(Contribution.live_session_id).is_(None))
    ).all()
    assert len(contributions) == 2
    assert {c.channel for c in contributions} <= {"online", "live", "meeting", "paper"}
    assert all(c.territory_id for c in contributions)


def test_demo_with_a_missing_file_says_so(runner, tmp_path):
    result = runner.invoke(args=["demo", "--data", str(tmp_path / "nope.csv")])
    assert result.exit_code == 2
    assert "demo data not found" in result.output
