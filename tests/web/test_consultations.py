"""Several consultations on one site: each under /c/<slug>/ with its own data, kept apart."""

import pytest
from flask import g, url_for
from flask.testing import FlaskClient
from sqlmodel import select

from consult.analysis.models import AnalysisRun, Theme
from consult.framework.models import Axis, Consultation, Framework, Objective, Territory
from consult.meetings.models import LiveSession, Meeting
from consult.proposals.models import Contribution
from tests.consultation_client import HERE

OTHER = "/c/lavoro-2026"


@pytest.fixture
def two(db, consultation, create_contribution):
    """The default consultation and a second one on its own framework, each with a proposal,
    a current analysis run with a theme, and a meeting with an open live session."""
    framework = Framework(code="lavoro", title="Strategia per il lavoro")
    db.add(framework)
    db.flush()
    db.add(Axis(framework_id=framework.id, number=1, title="Lavoro"))
    db.add(
        Objective(
            framework_id=framework.id, code="tirocini", kind="sectoral", axis_number=1,
            title="Tirocini",
        )
    )  # fmt: skip
    # its own "torino": territories belong to their framework
    db.add(Territory(framework_id=framework.id, code="torino", name="Torino", kind="province"))
    other = Consultation(
        slug="lavoro-2026", title="Consultazione sul lavoro", framework_id=framework.id
    )
    db.add(other)
    db.commit()
    mine = create_contribution(text="Servono più posti negli asili nido della città.")
    theirs = Contribution(
        consultation_id=other.id,
        text="Più tirocini retribuiti per chi cerca il primo lavoro.",
        status="published",
        tracking_token="t" * 43,
    )
    db.add(theirs)
    for owner, label in ((consultation, "Asili nido"), (other, "Tirocini retribuiti")):
        run = AnalysisRun(consultation_id=owner.id, status="succeeded", is_current=True)
        db.add(run)
        db.flush()
        db.add(
            Theme(
                consultation_id=owner.id,
                run_id=run.id,
                stable_key=f"tema-{owner.slug}",
                model_topic=0,
                label=label,
                keywords=["parola"],
                size=1,
            )
        )
    meeting = Meeting(consultation_id=other.id, title="Incontro sul lavoro")
    db.add(meeting)
    db.flush()
    db.add(LiveSession(meeting_id=meeting.id, code="LAV234", status="open"))
    db.commit()
    return consultation, other, mine, theirs


def test_each_consultation_lists_only_its_own_proposals(client, two):
    _default, _other, mine, theirs = two
    here = client.get(f"{HERE}/proposte").get_data(as_text=True)
    there = client.get(f"{OTHER}/proposte").get_data(as_text=True)
    assert mine.text in here and theirs.text not in here
    assert theirs.text in there and mine.text not in there
    assert client.get(f"{OTHER}/proposte/{theirs.id}").status_code == 200
    assert client.get(f"{HERE}/proposte/{theirs.id}").status_code == 404
    assert client.get(f"{OTHER}/proposte/{mine.id}").status_code == 404
    api = client.get(f"{OTHER}/api/v1/contributions").get_json()
    assert [item["id"] for item in api["items"]] == [theirs.id]
    assert client.get(f"{OTHER}/api/v1/consultation").get_json()["slug"] == "lavoro-2026"


def test_links_stay_inside_the_consultation(client, two):
    page = client.get(f"{OTHER}/proposte").get_data(as_text=True)
    assert f'href="{OTHER}/proposte/nuova"' in page
    assert f'href="{HERE}/proposte/nuova"' not in page
    assert 'href="/account/accedi' in page and 'href="/static/' in page


def test_themes_and_figures_stay_apart(client, auth, create_user, two):
    auth.login(create_user(role="planner").email)
    here = client.get(f"{HERE}/pianificazione/temi").get_data(as_text=True)
    there = client.get(f"{OTHER}/pianificazione/temi").get_data(as_text=True)
    assert "Asili nido" in here and "Tirocini retribuiti" not in here
    assert "Tirocini retribuiti" in there and "Asili nido" not in there
    assert client.get(f"{HERE}/pianificazione/temi/tema-lavoro-2026").status_code == 404
    themes = client.get(f"{OTHER}/api/v1/themes").get_json()["themes"]
    assert [theme["label"] for theme in themes] == ["Tirocini retribuiti"]
    home = client.get(f"{OTHER}/").get_data(as_text=True)
    assert "Consultazione sul lavoro" in home and "1 proposta pubblicata" in home
    assert "Tirocini" in home and "Regolamento ISEE" not in home


def test_a_proposal_sent_to_a_consultation_is_stored_in_it(client, db, two):
    _default, other, _mine, _theirs = two
    form = {
        "text": "Un servizio di orientamento al lavoro nei quartieri.",
        "territory": "torino",
        "role": "cittadino",
        "consent": "y",
        "idempotency_key": "k" * 24,
    }
    response = client.post(f"{OTHER}/proposte/nuova", data=form)
    assert response.status_code in (302, 303)
    assert response.headers["Location"].startswith(f"{OTHER}/traccia/")
    stored = db.exec(select(Contribution).where(Contribution.text == form["text"])).one()
    assert stored.consultation_id == other.id
    assert db.get(Territory, stored.territory_id).framework_id == other.framework_id


def test_a_live_code_belongs_to_its_consultation(client, two):
    assert client.get(f"{OTHER}/live/LAV234").status_code == 200
    assert client.get(f"{HERE}/live/LAV234").status_code == 404
    joined = client.post(f"{HERE}/live", data={"code": "LAV234"})
    assert joined.headers["Location"] == f"{OTHER}/live/LAV234"


def test_a_tracking_link_of_the_default_prefix_finds_its_consultation(client, two):
    _default, _other, _mine, theirs = two
    response = client.get(f"{HERE}/traccia/{theirs.tracking_token}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"{OTHER}/traccia/{theirs.tracking_token}"
    assert client.get(response.headers["Location"]).status_code == 200


def test_old_addresses_redirect_to_the_default_consultation(app, db, two):
    plain = FlaskClient(app)  # asks the paths as written, unprefixed
    response = plain.get("/proposte?q=nidi")
    assert response.status_code == 302
    assert response.headers["Location"] == f"{HERE}/proposte?q=nidi"
    assert plain.get("/").status_code == 200  # the site's home is not a consultation's page
    form = {"text": "Inviata dal vecchio indirizzo del modulo.", "territory": "torino"}
    form |= {"role": "cittadino", "consent": "y", "idempotency_key": "o" * 24}
    assert plain.post("/proposte/nuova", data=form).status_code in (302, 303)
    stored = db.exec(select(Contribution).where(Contribution.text == form["text"])).one()
    assert stored.consultation_id == two[0].id


def test_prefixes_name_a_consultation_and_only_its_pages(client, two):
    assert client.get("/c/non-esiste/proposte").status_code == 404
    assert client.get(f"{HERE}/account/accedi").status_code == 404
    assert client.get(f"{HERE}/static/favicon.svg").status_code == 404
    assert client.get(f"{OTHER}").status_code == 200


def test_the_site_home_lists_open_and_past_consultations(client, db, two):
    _default, other, _mine, _theirs = two
    other.is_active = False
    db.add(other)
    db.commit()
    page = client.get("/").get_data(as_text=True)
    open_part, past_part = page.split('data-consultations="past"')
    assert f'href="{HERE}/"' in open_part and "Consultazione di prova" in open_part
    assert f'href="{OTHER}/"' in past_part and "Consultazione sul lavoro" in past_part
    index = client.get("/api/v1/").get_json()
    assert [c["slug"] for c in index["consultations"]] == ["piemonte-2018", "lavoro-2026"]


def test_a_meeting_is_managed_only_under_its_consultation(client, auth, create_user, db, two):
    meeting = db.exec(select(Meeting).where(Meeting.title == "Incontro sul lavoro")).one()
    auth.login(create_user(role="admin").email)
    assert client.get(f"{OTHER}/facilitatore/incontri/{meeting.id}").status_code == 200
    assert client.get(f"{HERE}/facilitatore/incontri/{meeting.id}").status_code == 404
    listed = client.get(f"{HERE}/facilitatore/incontri").get_data(as_text=True)
    assert "Incontro sul lavoro" not in listed


def test_links_built_outside_a_request_leave_no_session_open(app, two):
    with app.app_context():
        link = url_for("browse.index")
        assert "db_session" not in g  # a job's app context has no request to close one
    assert link.endswith(f"{HERE}/proposte")
