"""Every channel makes proposals through one constructor: one text rule, one audit row each."""

import csv
import io

import pytest
from sqlmodel import select

from consult.cli import demo
from consult.common.models import AuditLog
from consult.common.tabular import read_table
from consult.live import services as live_sessions
from consult.meetings import entry as meeting_entry
from consult.meetings import imports
from consult.meetings.import_mapping import guess_mapping
from consult.proposals import services as proposals
from consult.proposals.models import Contribution

TEXT = "Servono più educatori di strada nei quartieri periferici."


def _audit_rows(db, contribution_id):
    return db.exec(
        select(AuditLog).where(
            AuditLog.entity_type == "contribution", AuditLog.entity_id == str(contribution_id)
        )
    ).all()


def _online(db, consultation, text=TEXT, key="k" * 24):
    proposal = proposals.NewProposal(
        text=text, territory_id=1, participant_role="cittadino", idempotency_key=key
    )
    return proposals.submit(db, consultation.id, proposal, premoderation=False)


def _live(db, live, text=TEXT, key="l" * 24):
    proposal = live_sessions.LiveProposal(
        text=text, territory_id=None, participant_role=None, working_group_id=None,
        idempotency_key=key,
    )  # fmt: skip
    return live_sessions.submit(db, live, proposal)


def test_an_online_proposal_has_exactly_one_audit_row(db, consultation):
    contribution, created = _online(db, consultation)
    db.commit()
    assert created and [a.action for a in _audit_rows(db, contribution.id)] == [
        "contribution.submitted"
    ]


def test_a_live_proposal_has_exactly_one_audit_row(db, create_live_session):
    contribution, created = _live(db, create_live_session())
    db.commit()
    rows = _audit_rows(db, contribution.id)
    assert created and len(rows) == 1 and rows[0].after["channel"] == "live"


def test_a_fast_entry_proposal_has_exactly_one_audit_row(db, meeting_staff):
    meeting, actor = meeting_staff["meeting"], meeting_staff["facilitator"].id
    contribution, created = meeting_entry.enter(
        db,
        meeting,
        meeting_entry.EntryInput(TEXT, "paper"),
        actor_id=actor,
        idempotency_key="e" * 24,
    )
    db.commit()
    rows = _audit_rows(db, contribution.id)
    assert created and [(a.action, a.actor_id) for a in rows] == [("contribution.entered", actor)]


def test_every_imported_proposal_has_exactly_one_audit_row(db, meeting_staff):
    meeting, actor = meeting_staff["meeting"], meeting_staff["facilitator"].id
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows(
        [["Testo"], [TEXT], ["Più posti nei centri diurni per gli anziani soli."]]
    )
    table = read_table(buffer.getvalue().encode(), "verbale.csv")
    plan = imports.plan_import(db, table, guess_mapping(table.headers), meeting)
    source = imports.ImportSource("verbale.csv", "d" * 64)
    imports.apply_import(db, plan, meeting, source, actor_id=actor)
    db.commit()
    stored = db.exec(select(Contribution)).all()
    assert len(stored) == 2
    for contribution in stored:
        rows = _audit_rows(db, contribution.id)
        assert [(a.action, a.actor_id) for a in rows] == [("contribution.imported", actor)]


def test_every_demo_proposal_has_exactly_one_audit_row(db, tmp_path):
    data = tmp_path / "demo.csv"
    data.write_text(f"id,text,objective\n1,{TEXT},isee\n2,Case popolari per i giovani,abitare\n")
    demo.load_demo(db, csv_path=data)
    db.commit()
    for contribution in db.exec(select(Contribution).where(Contribution.channel != "live")).all():
        assert len(_audit_rows(db, contribution.id)) == 1
    live = db.exec(select(Contribution).where(Contribution.channel == "live")).all()
    assert live and all(len(_audit_rows(db, c.id)) == 1 for c in live)


@pytest.mark.parametrize(
    "text", ["!!!!!!!!!!!! ????", "1234567890 55", "😀😀😀😀😀😀😀😀😀😀😀", "corta"]
)
def test_no_channel_stores_a_text_the_rule_refuses(db, consultation, create_live_session, text):
    live = create_live_session()
    with pytest.raises(proposals.ProposalTextError):
        _online(db, consultation, text)
    with pytest.raises(proposals.ProposalTextError):
        _live(db, live, text)
    assert db.exec(select(Contribution)).all() == []


def test_the_same_key_with_another_text_is_a_new_proposal_never_a_silent_drop(
    db, create_live_session
):
    live = create_live_session()
    first, _ = _live(db, live, TEXT, key="same" * 6)
    again, created_again = _live(db, live, TEXT, key="same" * 6)
    other, created_other = _live(db, live, "Un centro di ascolto per i giovani.", key="same" * 6)
    db.commit()
    assert (again.id, created_again) == (first.id, False)
    assert created_other and other.id != first.id
