"""Each consultation offers its own framework's territories: forms, filters and the API of one
never list another's, even when both frameworks use the same territory codes."""

import html
import re

import pytest
from sqlmodel import select

from consult.framework.models import Consultation, Framework, Territory
from consult.proposals.models import Contribution
from tests.consultation_client import HERE

OTHER = "/c/lavoro-2026"
KEY = "t" * 32


@pytest.fixture
def other(db, consultation):
    """A second consultation whose framework has its own "torino" (another name) and Biella."""
    framework = Framework(code="lavoro", title="Strategia per il lavoro")
    db.add(framework)
    db.flush()
    second = Consultation(slug="lavoro-2026", title="Lavoro", framework_id=framework.id)
    db.add(second)
    for code, name in (("torino", "Città di Torino"), ("biella", "Biella")):
        db.add(Territory(framework_id=framework.id, code=code, name=name, kind="province"))
    db.commit()
    return second


def _options(page: str, field: str) -> str:
    """The labels a select of the page offers, one a line ("Cuneo (tutta la provincia)")."""
    select_html = re.search(rf'<select[^>]*name="{field}"[^>]*>(.*?)</select>', page, re.S)
    assert select_html is not None, field
    labels = re.findall(r"<option[^>]*>([^<]*)</option>", select_html.group(1))
    return "\n".join(html.unescape(label).strip() for label in labels)


def _lists(options: str, *names: str) -> bool:
    return all(name in options for name in names)


def _lists_none(options: str, *names: str) -> bool:
    return not any(name in options for name in names)


def test_the_proposal_form_offers_only_the_consultations_territories(client, other):
    here = _options(client.get(f"{HERE}/proposte/nuova").get_data(as_text=True), "territory")
    there = _options(client.get(f"{OTHER}/proposte/nuova").get_data(as_text=True), "territory")
    assert _lists(here, "Torino", "Cuneo") and _lists_none(here, "Biella", "Città di Torino")
    assert _lists(there, "Biella", "Città di Torino") and _lists_none(there, "Cuneo")


def test_a_proposal_takes_the_territory_of_its_own_consultation(client, db, other):
    data = {
        "text": "Servono più tirocini retribuiti per i giovani che cercano lavoro.",
        "territory": "torino",
        "role": "altro",
        "consent": "y",
        "idempotency_key": KEY,
    }
    assert client.post(f"{OTHER}/proposte/nuova", data=data).status_code == 303
    stored = db.exec(select(Contribution)).one()
    territory = db.get(Territory, stored.territory_id)
    assert territory is not None and territory.framework_id == other.framework_id
    # a code only the other consultation knows is not a choice here
    refused = client.post(
        f"{HERE}/proposte/nuova", data={**data, "territory": "biella", "idempotency_key": "u" * 32}
    )
    assert refused.status_code == 422


def test_the_proposal_filter_lists_only_the_consultations_territories(client, other):
    here = _options(client.get(f"{HERE}/proposte").get_data(as_text=True), "territorio")
    there = _options(client.get(f"{OTHER}/proposte").get_data(as_text=True), "territorio")
    assert _lists(here, "Cuneo") and _lists_none(here, "Biella", "Città di Torino")
    assert _lists(there, "Biella", "Città di Torino") and _lists_none(there, "Cuneo")


def test_the_meeting_form_offers_only_the_consultations_territories(
    client, auth, db, other, create_user
):
    facilitator = create_user(role="facilitator")
    auth.login(facilitator.email)
    here = client.get(f"{HERE}/facilitatore/incontri/nuovo").get_data(as_text=True)
    there = client.get(f"{OTHER}/facilitatore/incontri/nuovo").get_data(as_text=True)
    offered_here, offered_there = _options(here, "territory"), _options(there, "territory")
    assert _lists(offered_here, "Torino", "Cuneo")
    assert _lists_none(offered_here, "Biella", "Città di Torino")
    assert _lists(offered_there, "Biella", "Città di Torino")
    assert _lists_none(offered_there, "Cuneo")
    biella = db.exec(select(Territory).where(Territory.code == "biella")).one()
    meeting = {
        "title": "Incontro di Biella",
        "territory": str(biella.id),
        "place": "Biella",
        "starts_at": "2017-11-06T09:30",
    }
    assert client.post(f"{HERE}/facilitatore/incontri/nuovo", data=meeting).status_code == 422
    assert client.post(f"{OTHER}/facilitatore/incontri/nuovo", data=meeting).status_code == 303


def test_the_api_lists_only_the_consultations_territories(client, other):
    here = client.get(f"{HERE}/api/v1/territories").get_json()["territories"]
    there = client.get(f"{OTHER}/api/v1/territories").get_json()["territories"]
    assert {t["code"] for t in here} == {"torino", "cuneo"}
    assert {t["name"] for t in there} == {"Città di Torino", "Biella"}


def test_filtering_by_a_shared_code_finds_the_consultations_own_territory(client, db, other):
    theirs = db.exec(select(Territory).where(Territory.framework_id == other.framework_id)).all()
    torino = next(t for t in theirs if t.code == "torino")
    db.add(
        Contribution(
            consultation_id=other.id,
            text="Più tirocini retribuiti nell'area di Torino.",
            status="published",
            tracking_token="w" * 43,
            territory_id=torino.id,
        )
    )
    db.commit()
    found = client.get(f"{OTHER}/api/v1/contributions?territory=torino").get_json()
    assert [item["territory"] for item in found["items"]] == ["torino"]
    assert client.get(f"{OTHER}/api/v1/contributions?territory=cuneo").get_json()["items"] == []
