"""Moderation steps keep what was there before and say who did what."""

import pytest
from sqlmodel import select

from consult.common.models import AuditLog
from consult.live import moderation
from consult.live.moderation import ModerationError
from consult.proposals.models import Contribution, Support


@pytest.fixture
def moderator(create_user):
    return create_user(role="facilitator")


def test_approve_publishes_and_is_audited(db, create_contribution, moderator):
    item = create_contribution(status="pending")
    moderation.approve(db, item, actor_id=moderator.id)
    db.commit()
    assert item.status == "published" and item.published_at is not None
    entry = db.exec(select(AuditLog).where(AuditLog.action == "moderation.approve")).one()
    assert entry.actor_id == moderator.id
    assert entry.before["status"] == "pending" and entry.after["status"] == "published"


def test_reject_needs_a_reason(db, create_contribution, moderator):
    item = create_contribution(status="pending")
    with pytest.raises(ModerationError) as error:
        moderation.reject(db, item, actor_id=moderator.id, reason="  ")
    assert error.value.code == "reason" and item.status == "pending"
    moderation.reject(db, item, actor_id=moderator.id, reason="Fuori tema")
    assert item.status == "rejected" and item.rejection_reason == "Fuori tema"


def test_correct_keeps_the_first_original_and_audits_before_and_after(
    db, create_contribution, moderator
):
    item = create_contribution(text="Servono piu posti nei centri diurnni.", status="pending")
    moderation.correct(db, item, actor_id=moderator.id, text="Servono più posti nei centri diurni.")
    moderation.correct(db, item, actor_id=moderator.id, text="Servono più posti nei centri diurni!")
    db.commit()
    assert item.original_text == "Servono piu posti nei centri diurnni."
    assert item.text == "Servono più posti nei centri diurni!"
    entries = db.exec(select(AuditLog).where(AuditLog.action == "moderation.correct")).all()
    assert [e.before["text"] for e in entries] == [
        "Servono piu posti nei centri diurnni.",
        "Servono più posti nei centri diurni.",
    ]
    with pytest.raises(ModerationError):
        moderation.correct(db, item, actor_id=moderator.id, text="corto")


def test_merge_moves_supports_without_double_counting_and_records_provenance(
    db, create_contribution, create_user, moderator
):
    target = create_contribution()
    duplicate = create_contribution(status="pending")
    both, only_dup = create_user(), create_user()
    db.add(Support(contribution_id=target.id, user_id=both.id))
    db.add(Support(contribution_id=duplicate.id, user_id=both.id))
    db.add(Support(contribution_id=duplicate.id, user_id=only_dup.id))
    db.add(Support(contribution_id=target.id, browser_token="tok-1"))
    db.add(Support(contribution_id=duplicate.id, browser_token="tok-1"))
    db.add(Support(contribution_id=duplicate.id, browser_token="tok-2"))
    db.commit()
    moderation.merge(db, duplicate, target, actor_id=moderator.id)
    db.commit()
    assert duplicate.status == "merged" and duplicate.merged_into_id == target.id
    supports = db.exec(select(Support).where(Support.contribution_id == target.id)).all()
    assert sorted((s.user_id or 0, s.browser_token or "") for s in supports) == sorted(
        [(both.id, ""), (only_dup.id, ""), (0, "tok-1"), (0, "tok-2")]
    )
    assert db.exec(select(Support).where(Support.contribution_id == duplicate.id)).all() == []
    db.refresh(target)
    assert target.provenance["merged_ids"] == [duplicate.id]
    with pytest.raises(ModerationError):
        moderation.merge(db, duplicate, target, actor_id=moderator.id)


def test_merge_refuses_itself(db, create_contribution, moderator):
    item = create_contribution()
    with pytest.raises(ModerationError):
        moderation.merge(db, item, item, actor_id=moderator.id)


def test_highlight_only_published_items(db, create_contribution, moderator):
    pending = create_contribution(status="pending")
    with pytest.raises(ModerationError):
        moderation.set_flag(db, pending, actor_id=moderator.id, flag="highlighted", value=True)
    moderation.set_flag(db, pending, actor_id=moderator.id, flag="discussed", value=True)
    assert pending.discussed and not pending.highlighted


def test_bulk_reject_requires_a_reason_and_skips_refused_items(db, create_contribution, moderator):
    items = [create_contribution(status="pending") for _ in range(3)]
    items[2].status = "merged"
    with pytest.raises(ModerationError):
        moderation.bulk(db, items, actor_id=moderator.id, action="reject", reason="")
    done = moderation.bulk(db, items, actor_id=moderator.id, action="reject", reason="Doppione")
    assert done == 2
    assert [i.status for i in items] == ["rejected", "rejected", "merged"]


def test_duplicate_candidates_include_pending_and_published(db, create_contribution):
    item = create_contribution(
        text="Più posti negli asili nido comunali di montagna.", status="pending"
    )
    twin = create_contribution(
        text="Più posti negli asili nido comunali in montagna!", status="pending"
    )
    create_contribution(text="Trasporto pubblico per le valli isolate.")
    found = moderation.duplicate_candidates(db, item)
    assert [c.contribution.id for c in found] == [twin.id]
    assert db.get(Contribution, item.id).status == "pending"
