"""An administrator chooses the site's default consultation (stored, audited); the configured
``CONSULT_CONSULTATION`` is only its value until one is chosen; the old single-consultation
addresses follow the choice."""

import pytest
from flask.testing import FlaskClient
from sqlmodel import select

from consult.common.models import AuditLog
from consult.framework import consultations
from consult.framework.models import (
    DEFAULT_CONSULTATION,
    Consultation,
    Framework,
    SiteSetting,
)
from tests.web.route_world import log_in

OTHER = "lavoro-2026"


@pytest.fixture
def other(db, consultation):
    framework = Framework(code="lavoro", title="Strategia per il lavoro")
    db.add(framework)
    db.flush()
    second = Consultation(slug=OTHER, title="Consultazione sul lavoro", framework_id=framework.id)
    db.add(second)
    db.commit()
    return second


@pytest.fixture
def admin_client(app, create_user):
    plain = FlaskClient(app)  # asks the paths as written
    admin = create_user(role="admin")
    log_in(plain, admin)
    return plain, admin


def test_the_configured_consultation_is_the_default_until_one_is_chosen(app, db, other):
    assert consultations.current(db, app.config["CONSULTATION_SLUG"]).slug == "piemonte-2018"
    response = FlaskClient(app).get("/proposte")
    assert response.headers["Location"] == "/c/piemonte-2018/proposte"


def test_an_admin_chooses_the_default_and_old_addresses_follow(app, db, other, admin_client):
    plain, admin = admin_client
    page = plain.get("/admin/").get_data(as_text=True)
    assert 'data-admin="default-consultation"' in page
    assert 'data-default="piemonte-2018"' in page
    saved = plain.post("/admin/predefinita", data={"slug": OTHER})
    assert saved.status_code == 303 and saved.headers["Location"] == "/admin/"
    assert db.get(SiteSetting, DEFAULT_CONSULTATION).value == OTHER
    entry = db.exec(select(AuditLog).where(AuditLog.action == "site.default_consultation")).one()
    assert entry.actor_id == admin.id
    assert entry.before == {"default": "piemonte-2018"} and entry.after == {"default": OTHER}
    assert f'data-default="{OTHER}"' in plain.get("/admin/").get_data(as_text=True)
    anonymous = FlaskClient(app)
    response = anonymous.get("/proposte?q=tirocini")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/c/{OTHER}/proposte?q=tirocini"
    # the configuration is only the initial value: the stored choice wins over it
    assert consultations.current(db, "piemonte-2018").slug == OTHER


def test_the_choice_speaks_english(app, db, other, admin_client):
    plain, _admin = admin_client
    plain.post("/lingua", data={"lang": "en"})
    page = plain.get("/admin/").get_data(as_text=True)
    assert "Default consultation" in page


def test_an_unknown_consultation_is_refused_and_nothing_stored(db, other, admin_client):
    plain, _admin = admin_client
    refused = plain.post("/admin/predefinita", data={"slug": "non-esiste"})
    assert refused.status_code == 422
    assert plain.post("/admin/predefinita", data={"slug": ""}).status_code == 422
    assert db.get(SiteSetting, DEFAULT_CONSULTATION) is None
    assert (
        db.exec(select(AuditLog).where(AuditLog.action == "site.default_consultation")).all() == []
    )


def test_only_an_admin_chooses_the_default(app, db, other, create_user):
    for role in ("planner", "moderator", "facilitator", "participant"):
        plain = FlaskClient(app)
        log_in(plain, create_user(role=role))
        assert plain.post("/admin/predefinita", data={"slug": OTHER}).status_code == 403, role
    anonymous = FlaskClient(app).post("/admin/predefinita", data={"slug": OTHER})
    assert anonymous.status_code in (302, 401)
    assert db.get(SiteSetting, DEFAULT_CONSULTATION) is None


def test_a_stored_default_that_names_no_consultation_falls_back_to_the_configured_one(
    app, db, other
):
    db.add(SiteSetting(name=DEFAULT_CONSULTATION, value="cancellata"))
    db.commit()
    assert consultations.current(db, app.config["CONSULTATION_SLUG"]).slug == "piemonte-2018"
