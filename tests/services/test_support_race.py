"""A double click that loses the race to the unique constraint undoes only its own row."""

from sqlmodel import func, select

from consult.proposals import engagement
from consult.proposals.models import Contribution, Support


def test_a_lost_race_keeps_the_request_and_the_first_support(db, create_contribution, monkeypatch):
    proposal = create_contribution()
    other = create_contribution(text="Più trasporti a chiamata nelle valli alpine.")
    who = engagement.Participant(browser_token="t" * 32)
    assert engagement.add_support(db, proposal, who) is True
    monkeypatch.setattr(engagement, "has_supported", lambda *_args: False)  # the racing click
    assert engagement.add_support(db, proposal, who) is False
    other.title = "Still in the same transaction"
    db.add(other)
    db.commit()
    assert db.exec(select(func.count()).select_from(Support)).one() == 1
    assert db.get(Contribution, other.id).title == "Still in the same transaction"
