"""Every route of entry, import and export for every role, anonymous included."""

import io

import pytest
from sqlmodel import select

from consult.models import Contribution
from consult.services.tokens import new_tracking_token

CSV = "Testo\r\nServono più posti nei centri diurni per anziani.\r\n".encode()
ROLES = ("anonymous", "participant", "other_facilitator", "facilitator", "planner", "admin")
ENTER = {"facilitator", "admin"}
READ = {"facilitator", "admin", "planner"}


@pytest.fixture(autouse=True)
def import_folder(app, tmp_path):
    app.config["IMPORT_FOLDER"] = str(tmp_path / "imports")


def _login(auth, staff, role):
    if role != "anonymous":
        auth.login(staff[role].email)


def _upload_as_facilitator(client, auth, staff):
    """A kept upload of the meeting's facilitator, to probe the token routes."""
    auth.login(staff["facilitator"].email)
    response = client.post(
        f"/facilitatore/incontri/{staff['meeting'].id}/importa",
        data={"file": (io.BytesIO(CSV), "a.csv")},
        content_type="multipart/form-data",
    )
    auth.logout()
    return response.headers["Location"].split("/")[-1]


def _check(response, role, allowed, ok_status):
    if role == "anonymous":
        assert response.status_code == 302 and "/account/accedi" in response.headers["Location"]
    elif role in allowed:
        assert response.status_code == ok_status, response.get_data(as_text=True)[:300]
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "suffix", "allowed", "ok_status"),
    [
        ("get", "strumenti", READ, 200),
        ("get", "inserimento", ENTER, 200),
        ("get", "importa", ENTER, 200),
        ("get", "esporta.csv", READ, 200),
        ("get", "esporta.xlsx", READ, 200),
    ],
)
def test_pages(client, auth, meeting_staff, role, method, suffix, allowed, ok_status):
    _login(auth, meeting_staff, role)
    response = getattr(client, method)(
        f"/facilitatore/incontri/{meeting_staff['meeting'].id}/{suffix}"
    )
    _check(response, role, allowed, ok_status)


@pytest.mark.parametrize("role", ROLES)
def test_fast_entry_post(client, db, auth, meeting_staff, role):
    _login(auth, meeting_staff, role)
    response = client.post(
        f"/facilitatore/incontri/{meeting_staff['meeting'].id}/inserimento",
        data={
            "text": "Servono più educatori di strada.",
            "channel": "meeting",
            "idempotency_key": "b" * 32,
        },
    )
    _check(response, role, ENTER, 302)
    assert len(db.exec(select(Contribution)).all()) == (1 if role in ENTER else 0)


@pytest.mark.parametrize("role", ROLES)
def test_undo_post(client, db, auth, meeting_staff, role):
    meeting = meeting_staff["meeting"]
    author = meeting_staff.get(role) if role in ENTER else meeting_staff["facilitator"]
    item = Contribution(
        consultation_id=meeting.consultation_id,
        meeting_id=meeting.id,
        text="Servono più educatori di strada.",
        channel="meeting",
        tracking_token=new_tracking_token(),
        provenance={"source": "fast-entry", "entered_by": author.id},
    )
    db.add(item)
    db.commit()
    item_id = item.id
    _login(auth, meeting_staff, role)
    response = client.post(f"/facilitatore/incontri/{meeting.id}/inserimento/{item_id}/annulla")
    _check(response, role, ENTER, 302)
    remaining = db.exec(select(Contribution.id)).all()
    assert remaining == ([] if role in ENTER else [item_id])


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "step", "ok_status"),
    [
        ("post", "", 303),
        ("get", "TOKEN", 200),
        ("post", "TOKEN/verifica", 200),
        ("post", "TOKEN/conferma", 200),
    ],
)
def test_import_steps(client, db, auth, meeting_staff, role, method, step, ok_status):
    meeting = meeting_staff["meeting"]
    if role in ENTER and step:
        _login(auth, meeting_staff, role)
        response = client.post(
            f"/facilitatore/incontri/{meeting.id}/importa",
            data={"file": (io.BytesIO(CSV), "a.csv")},
            content_type="multipart/form-data",
        )
        token = response.headers["Location"].split("/")[-1]
    else:
        token = _upload_as_facilitator(client, auth, meeting_staff)
        _login(auth, meeting_staff, role)
    url = f"/facilitatore/incontri/{meeting.id}/importa/{step.replace('TOKEN', token)}".rstrip("/")
    data = {"text": "0", "attese": "1"}
    if not step:
        data = {"file": (io.BytesIO(CSV), "a.csv")}
    response = getattr(client, method)(url, data=data) if method == "post" else client.get(url)
    _check(response, role, ENTER, ok_status)
    stored = len(db.exec(select(Contribution)).all())
    assert stored == (1 if role in ENTER and step.endswith("conferma") else 0)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_import_template(client, auth, meeting_staff, role, extension):
    _login(auth, meeting_staff, role)
    response = client.get(f"/facilitatore/incontri/modello-importazione.{extension}")
    _check(response, role, {"facilitator", "other_facilitator", "admin"}, 200)


def test_unknown_meeting_is_404_for_staff(client, auth, meeting_staff):
    auth.login(meeting_staff["admin"].email)
    assert client.get("/facilitatore/incontri/999/inserimento").status_code == 404
    assert client.get("/facilitatore/incontri/999/esporta.csv").status_code == 404
