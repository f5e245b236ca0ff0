"""A fresh demo tells one story: a consultation open today, the 2017 tour replayed in the past
weeks, today's laboratory with its live session, meetings planned, and a strategy approved in its
second version, citing what the meetings said; the home page, the statistics and the report give
the same figures."""

import re
from datetime import UTC, timedelta

import pytest
from sqlmodel import select

from consult.common.models import utcnow
from consult.coplanning.models import Amendment, SectionInput, StrategyVersion
from consult.framework.models import Phase
from consult.meetings.models import LiveSession, Meeting
from consult.proposals.models import Contribution


@pytest.fixture
def demo(runner):
    result = runner.invoke(args=["demo", "--no-themes"])
    assert result.exit_code == 0, result.output


def _aware(value):
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def test_the_consultation_is_open_today_with_meetings_before_and_after(demo, db):
    today = utcnow().date()
    phases = db.exec(select(Phase).order_by(Phase.position)).all()
    assert any(p.starts_on <= today <= p.ends_on for p in phases)
    assert [p.starts_on for p in phases] == sorted(p.starts_on for p in phases)
    meetings = db.exec(select(Meeting)).all()
    held = [m for m in meetings if m.status == "closed"]
    assert held and all(_aware(m.starts_at).date() < today for m in held)
    assert all(m.attendance and m.minutes and m.organisations for m in held)
    (open_now,) = [m for m in meetings if m.status == "open"]
    assert _aware(open_now.starts_at).date() == today
    live = db.exec(select(LiveSession).where(LiveSession.meeting_id == open_now.id)).one()
    assert live.status == "open"
    planned = [m for m in meetings if m.status == "planned"]
    assert planned and all(_aware(m.starts_at).date() > today for m in planned)
    # The tour of the Region's note: 9 meetings, 408 interlocutori, 1,117.9 km.
    assert len(held) == 9
    assert sum(m.attendance for m in held) == 408
    assert round(sum(m.km_travelled for m in held), 1) == 1117.9


def test_proposals_are_dated_between_the_plenary_and_today(demo, db):
    now = utcnow()
    plenary = db.exec(select(Phase).where(Phase.position == 0)).one().starts_on
    meetings = {m.id: m for m in db.exec(select(Meeting))}
    for proposal in db.exec(select(Contribution)):
        created = _aware(proposal.created_at)
        assert plenary <= created.date() and created <= now + timedelta(minutes=1)
        if proposal.meeting_id and proposal.live_session_id is None:
            assert created.date() == _aware(meetings[proposal.meeting_id].starts_at).date()


def test_the_strategy_comes_back_approved_citing_its_inputs(demo, db):
    statuses = [v.status for v in db.exec(select(StrategyVersion).order_by(StrategyVersion.number))]
    assert statuses == ["superata", "approvata"]
    assert {a.status for a in db.exec(select(Amendment))} == {
        "accolto-con-modifiche",
        "accolto",
        "non-accolto",
    }
    cited = db.exec(select(SectionInput)).all()
    assert any(c.amendment_id for c in cited)
    assert any(c.meeting_comment_id for c in cited)
    assert any(c.contribution_id for c in cited)


def _figure(html: str, pattern: str) -> str:
    found = re.search(pattern, html)
    assert found, pattern
    return found.group(1)


def test_home_statistics_and_report_agree(demo, client, auth):
    assert "Patto di sviluppo di comunità solidali" in client.get("/").get_data(as_text=True)
    home = client.get("/c/piemonte-2018/").get_data(as_text=True)  # the default one's home
    assert _figure(home, r"(\d+) incontri svolti") == "9"
    assert "in corso</span>" in home
    assert re.search(r"3 incontri in corso o in programma", home)
    statistics = client.get("/statistiche").get_data(as_text=True)
    assert _figure(statistics, r"Incontri svolti</dt><dd[^>]*>(\d+)") == "9"
    assert _figure(statistics, r"Interlocutori[^<]*</dt><dd[^>]*>(\d+)") == "408"
    assert "1117,9" in statistics or "1.117,9" in statistics
    proposals = _figure(home, r"(\d+) proposte pubblicate")
    auth.login("pianificatore@example.org", "consult-demo")
    report = client.get("/pianificazione/rapporto").get_data(as_text=True)
    assert _figure(report, r'data-figure="meetings">(\d+)') == "9"
    assert _figure(report, r'data-figure="proposals">(\d+)') == proposals


def _figures(html: str) -> dict[str, str]:
    """The `data-figure` values of a page, whitespace squeezed."""
    found = re.findall(r'data-figure="(\w+)">(.*?)</(?:dd|span)>', html, flags=re.S)
    return {name: " ".join(re.sub(r"<[^>]+>", "", value).split()) for name, value in found}


def test_every_page_and_the_api_give_the_same_meetings_interlocutori_and_km(demo, client, auth):
    home = _figures(client.get("/c/piemonte-2018/").get_data(as_text=True))
    statistics = _figures(client.get("/statistiche").get_data(as_text=True))
    api = client.get("/api/v1/consultation").get_json()["figures"]
    auth.login("pianificatore@example.org", "consult-demo")
    report = _figures(client.get("/pianificazione/rapporto").get_data(as_text=True))
    assert api["meetings_held"] == 9 and api["meetings_counted"] == "closed"
    assert api["interlocutors"] == 408 and api["km_travelled"] == 1117.9
    assert home["meetings"] == "9 incontri svolti"
    assert home["interlocutors"] == "408 interlocutori"
    assert home["km"] == "1.117,9 km percorsi"
    assert statistics["meetings"] == report["meetings"] == "9"
    assert statistics["interlocutors"] == report["interlocutors"] == "408"
    assert statistics["km"] == report["km"] == "1.117,9"
    proposals = f"{api['proposals']:,}".replace(",", ".")
    assert home["proposals"] == f"{proposals} proposte pubblicate"
    assert statistics["proposals"] == report["proposals"] == proposals
    assert sum(api["proposals_by_channel"].values()) == api["proposals"]
    client.post("/lingua", data={"lang": "en"})
    english = _figures(client.get("/statistiche").get_data(as_text=True))
    assert english["km"] == "1,117.9"
