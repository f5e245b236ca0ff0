"""Fast-entry service: idempotency under races, the undo window, kept uploads expiring."""

import os
import time
from datetime import timedelta

from sqlmodel import Session, select

from consult.common import upload_store
from consult.common.models import utcnow
from consult.meetings import entry as meeting_entry
from consult.meetings.entry import EntryInput
from consult.proposals.models import Contribution

TEXT = "Servono più educatori di strada nei quartieri."


def test_a_concurrent_duplicate_key_returns_the_stored_row(app, db, meeting_staff, monkeypatch):
    meeting, actor = meeting_staff["meeting"], meeting_staff["facilitator"].id
    first, created = meeting_entry.enter(
        db, meeting, EntryInput(TEXT, "meeting"), actor_id=actor, idempotency_key="k" * 32
    )
    db.commit()
    assert created
    with Session(app.extensions["consult.engine"]) as racing:
        real_find = meeting_entry.find_by_key
        calls = []

        def blind_first(*args):  # the racing request did not see the first row yet
            calls.append(1)
            return None if len(calls) == 1 else real_find(*args)

        monkeypatch.setattr(meeting_entry, "find_by_key", blind_first)
        again, created_again = meeting_entry.enter(
            racing, meeting, EntryInput(TEXT, "meeting"), actor_id=actor, idempotency_key="k" * 32
        )
        racing.commit()
        assert (again.id, created_again) == (first.id, False)
    assert len(db.exec(select(Contribution)).all()) == 1


def test_undo_only_within_the_window_and_for_the_author(create_contribution):
    item = create_contribution(provenance={"source": "fast-entry", "entered_by": 5})
    assert meeting_entry.can_undo(item, actor_id=5)
    assert not meeting_entry.can_undo(item, actor_id=6)
    assert meeting_entry.can_undo(item, actor_id=6, is_admin=True)
    item.created_at = utcnow() - timedelta(minutes=31)
    assert not meeting_entry.can_undo(item, actor_id=5)
    imported = create_contribution(provenance={"source": "import", "imported_by": 5})
    assert not meeting_entry.can_undo(imported, actor_id=5)


def test_kept_uploads_expire_after_a_day(tmp_path):
    stored = upload_store.save(
        tmp_path, b"Testo\n", filename="../../a.csv", meeting_id=1, user_id=2
    )
    assert stored.filename == "a.csv"
    assert upload_store.load(tmp_path, stored.token)[1] == b"Testo\n"
    assert upload_store.load(tmp_path, "../secret") is None
    old = time.time() - upload_store.MAX_AGE_SECONDS - 10
    for path in tmp_path.iterdir():
        os.utime(path, (old, old))
    assert upload_store.purge_stale(tmp_path) == 1
    assert list(tmp_path.iterdir()) == []
