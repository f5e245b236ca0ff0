"""SQL-injection strings through every query parameter and the import mapping: harmless.

No answer is a 500, no list shows more than the published proposals, nothing private leaks,
and every table keeps its rows.
"""

import io
import json

import pytest
from sqlalchemy import func
from sqlmodel import SQLModel, select

from consult.proposals.models import Contribution
from tests.marks import sampled

INJECTIONS = [
    "' OR 1=1 --",
    '"; DROP TABLE contribution; --',
    '%\' UNION SELECT id, email, password_hash FROM "user" --',
    "1) OR (1=1",
    '" OR text MATCH "*',  # FTS5 query syntax
    "\\'; SELECT pg_sleep(5); --",
]
SECRET = "Proposta in attesa di moderazione, mai pubblica."


@pytest.fixture
def world(db, consultation, create_contribution, create_user, meeting_staff, create_theme_run):
    published = [
        create_contribution("Servono più posti negli asili nido comunali."),
        create_contribution("Centri diurni aperti anche il sabato per gli anziani."),
    ]
    create_contribution(SECRET, status="pending")
    create_theme_run({"Nidi": published[:1]})
    return meeting_staff


def _rows(db) -> dict[str, int]:
    return {
        table.name: db.exec(select(func.count()).select_from(table)).one()
        for table in SQLModel.metadata.sorted_tables
    }


def _urls(meeting_id: int, value: str) -> list[tuple[str, str]]:
    """(role, URL) of every page reading the query string, the injection in each parameter."""
    m = f"/facilitatore/incontri/{meeting_id}"
    public = [
        f"/proposte?{name}={{v}}"
        for name in (
            "q",
            "territorio",
            "obiettivo",
            "tema",
            "canale",
            "incontro",
            "ordine",
            "pagina",
        )
    ]
    api = [f"/api/v1/contributions?{name}={{v}}" for name in
           ("q", "territory", "objective", "theme", "channel", "meeting", "sort", "page",
            "per_page")]  # fmt: skip
    urls = [("anonymous", u) for u in public + api + ["/proposte/simili?text={v}"]]
    urls += [
        ("admin", "/admin/utenti?q={v}&pagina={v}"),
        ("admin", f"{m}/inserimento?canale={{v}}&territorio={{v}}"),
        ("admin", f"{m}/esporta.csv?sessione={{v}}"),
        ("admin", "/pianificazione/temi/{v}"),
        ("admin", "/pianificazione/mappatura?pagina={v}"),
        ("admin", "/pianificazione/copertura?vista={v}&territorio={v}&canale={v}"),
        ("admin", "/pianificazione/risposte/nuova?tema={v}&obiettivo={v}&proposta={v}"),
        ("admin", "/obiettivi/{v}"),
        ("admin", "/api/v1/objectives/{v}"),
        ("admin", "/traccia/{v}"),
        ("admin", "/live/{v}"),
    ]
    from urllib.parse import quote

    return [(role, url.replace("{v}", quote(value, safe=""))) for role, url in urls]


@pytest.mark.parametrize("injection", sampled(INJECTIONS))
def test_query_parameters_are_harmless(app, db, auth, world, injection):
    before = _rows(db)
    clients = {"anonymous": app.test_client(), "admin": app.test_client()}
    clients["admin"].post(
        "/account/accedi", data={"email": world["admin"].email, "password": "secret-password"}
    )
    for role, url in _urls(world["meeting"].id, injection):
        response = clients[role].get(url)
        # 422: a filter form refusing a value that is not one of its choices
        assert response.status_code in (200, 302, 400, 404, 422), (url, response.status_code)
        body = response.get_data(as_text=True)
        assert SECRET not in body and "pbkdf2:" not in body, url  # no private row, no hash
        if role == "anonymous":
            assert "@example.org" not in body, url  # no account leaked by a UNION
        if url.startswith("/api/v1/contributions") and response.status_code == 200:
            assert json.loads(body)["total"] <= 2, url
    assert _rows(db) == before


def test_a_quoted_search_is_a_search_not_code(client, db, world):
    """The injection's words are searched for: nothing matches, no error, no extra rows."""
    response = client.get("/api/v1/contributions", query_string={"q": "' OR 1=1 --"})
    assert response.status_code == 200 and response.json["total"] == 0
    found = client.get("/api/v1/contributions", query_string={"q": "asili'; --"})
    assert [item["text"] for item in found.json["items"]] == [
        "Servono più posti negli asili nido comunali."
    ]


@pytest.mark.parametrize("injection", sampled(INJECTIONS))
def test_import_mapping_values_are_harmless(app, db, auth, world, tmp_path, injection):
    app.config["IMPORT_FOLDER"] = str(tmp_path)
    auth.login(world["facilitator"].email)
    client = auth._client
    base = f"/facilitatore/incontri/{world['meeting'].id}/importa"
    sheet = f"Testo;Territorio\r\n{injection} servono più nidi;{injection}\r\n".encode()
    upload = client.post(
        base, data={"file": (io.BytesIO(sheet), "a.csv")}, content_type="multipart/form-data"
    )
    assert upload.status_code == 303
    token = upload.headers["Location"].rsplit("/", 1)[-1]
    before = _rows(db)
    assert client.get(f"{base}/{token}?foglio={injection}").status_code in (200, 404)
    for step in ("verifica", "conferma"):
        response = client.post(
            f"{base}/{token}/{step}",
            data={"text": injection, "territory": injection, "foglio": injection, "attese": "1"},
        )
        assert response.status_code in (400, 404, 422), (step, response.status_code)
    assert _rows(db) == before
    assert db.exec(select(func.count()).select_from(Contribution)).one() == before["contribution"]
