"""The administration of consultations: a framework upload is checked and previewed before
anything is saved, texts, phases and objectives are edited, every change is audited."""

import html
import io
import re
from datetime import timedelta

import pytest
from openpyxl import Workbook
from sqlmodel import func, select

from consult.common.models import AuditLog
from consult.framework import phases
from consult.framework.models import Consultation, Framework, Objective, Phase
from consult.proposals.models import Contribution
from tests.consultation_client import HERE


def workbook(
    *, kind: str = "sectoral", ends_on: str = "2099-12-31", territory: str = "asti"
) -> bytes:
    """A framework for a consultation on work, as an administrator would write it in Excel."""
    book = Workbook()
    sheets = {
        "quadro": [
            ["campo", "valore"],
            ["codice", "lavoro-2026"],
            ["titolo", "Strategia per il lavoro"],
        ],
        "consultazione": [
            ["campo", "valore"],
            ["slug", "lavoro-2026"],
            ["titolo", "Consultazione sul lavoro"],
            ["descrizione", "Proposte per il lavoro dei giovani."],
        ],
        "assi": [["numero", "titolo"], [1, "Lavoro"]],
        "obiettivi": [
            ["codice", "tipo", "asse", "titolo", "descrizione", "parole chiave"],
            ["orientamento", "cross-cutting", None, "Orientamento", "Servizi di orientamento.", ""],
            ["tirocini", kind, 1, "Tirocini", "Tirocini retribuiti.", "tirocinio; stage"],
        ],
        "territori": [["codice", "nome", "tipo", "padre"], [territory, "Asti", "province", None]],
        "fasi": [["nome", "inizio", "fine"], ["Ascolto", "2026-01-01", ends_on]],
    }
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def admin(auth, create_user, consultation):
    user = create_user(role="admin")
    auth.login(user.email)
    return user


def _upload(client, data: bytes, name: str = "quadro.xlsx"):
    return client.post(
        "/admin/consultazioni/nuova",
        data={"framework": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def _counts(db) -> tuple[int, int, int]:
    return tuple(
        db.exec(select(func.count()).select_from(table)).one()
        for table in (Framework, Consultation, Objective)
    )


def test_an_xlsx_framework_is_previewed_then_created(client, db, admin):
    before = _counts(db)
    preview = _upload(client, workbook())
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Il file è valido." in page
    assert "Consultazione sul lavoro" in page and "orientamento, tirocini" in page
    assert _counts(db) == before  # nothing saved before the confirmation
    spec = re.search(r'name="spec" type="hidden" value="([^"]*)"', page).group(1)
    response = client.post(
        "/admin/consultazioni/nuova/conferma", data={"spec": html.unescape(spec)}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/consultazioni/lavoro-2026/fasi"
    created = db.exec(select(Consultation).where(Consultation.slug == "lavoro-2026")).one()
    framework = db.get(Framework, created.framework_id)
    assert framework.code == "lavoro-2026"
    objective = db.exec(select(Objective).where(Objective.code == "tirocini")).one()
    assert objective.keywords == ["tirocinio", "stage"] and objective.axis_number == 1
    assert [p.name for p in db.exec(select(Phase).where(Phase.consultation_id == created.id))] == [
        "Ascolto"
    ]
    entry = db.exec(select(AuditLog).where(AuditLog.action == "consultation.created")).one()
    assert entry.actor_id == admin.id and entry.after["objectives"] == ["orientamento", "tirocini"]
    assert client.get("/c/lavoro-2026/").status_code == 200
    again = client.post("/admin/consultazioni/nuova/conferma", data={"spec": html.unescape(spec)})
    assert again.status_code == 409 and _counts(db)[1] == before[1] + 1


def test_a_workbook_error_names_sheet_row_and_column_and_saves_nothing(client, db, admin):
    before = _counts(db)
    response = _upload(client, workbook(kind="settoriale"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "nulla è stato salvato" in page
    assert "foglio «obiettivi», riga 3</td><td>tipo</td>" in page
    assert "valore non ammesso: &#39;cross-cutting&#39; or &#39;sectoral&#39;" in page
    assert _counts(db) == before


def test_a_yaml_error_names_the_item_and_field(client, db, admin):
    text = "code: x\ntitle: X\nobjectives:\n  - code: a\n    kind: sectoral\n    title: A\n"
    page = _upload(client, text.encode(), "quadro.yaml").get_data(as_text=True)
    assert "objectives, elemento n. 1</td><td>description</td>" in page
    assert "campo obbligatorio mancante" in page
    broken = _upload(client, b"code: [x\n", "quadro.yml").get_data(as_text=True)
    assert "Il file non è YAML valido." in broken and "riga 2" in broken
    assert _upload(client, b"{}", "quadro.txt").status_code == 422


def test_a_phase_set_in_the_admin_closes_participation_when_it_ends(
    client, db, admin, consultation
):
    yesterday = phases.today() - timedelta(days=1)
    form = {
        "phases-0-name": "Ascolto",
        "phases-0-starts_on": (yesterday - timedelta(days=20)).isoformat(),
        "phases-0-ends_on": yesterday.isoformat(),
        "phases-0-allows_proposals": "y",
    }
    response = client.post(f"/admin/consultazioni/{consultation.slug}/fasi", data=form)
    assert response.status_code == 303
    stored = db.exec(select(Phase)).one()
    assert stored.allows_proposals and not stored.allows_live and stored.ends_on == yesterday
    assert "è chiusa: non è stato registrato nulla." in client.get("/proposte/nuova").get_data(
        as_text=True
    )
    entry = db.exec(select(AuditLog).where(AuditLog.action == "consultation.phases_updated")).one()
    assert entry.after["phases"][0]["allows"] == ["proposals"]
    bad = dict(form, **{"phases-0-ends_on": (yesterday - timedelta(days=40)).isoformat()})
    page = client.post(f"/admin/consultazioni/{consultation.slug}/fasi", data=bad)
    assert page.status_code == 422
    assert "La fine non può precedere" in page.get_data(as_text=True)
    assert 'value="Ascolto"' in page.get_data(as_text=True)
    assert db.exec(select(Contribution)).all() == []


def test_texts_keep_what_was_typed_on_an_error_and_are_audited(client, db, admin, consultation):
    url = f"/admin/consultazioni/{consultation.slug}"
    typed = {"title": "", "description": "Una descrizione scritta a mano.", "privacy_dpo": "d@e.it"}
    page = client.post(url, data=typed)
    assert page.status_code == 422
    assert "Una descrizione scritta a mano." in page.get_data(as_text=True)
    assert 'value="d@e.it"' in page.get_data(as_text=True)
    saved = client.post(url, data=dict(typed, title="Titolo nuovo", is_active="y"))
    assert saved.status_code == 303
    db.refresh(consultation)
    assert consultation.title == "Titolo nuovo" and consultation.privacy_dpo == "d@e.it"
    entry = db.exec(select(AuditLog).where(AuditLog.action == "consultation.updated")).one()
    assert entry.before["title"] == "Consultazione di prova"
    assert entry.after["title"] == "Titolo nuovo"
    assert "Titolo nuovo" in client.get(f"{HERE}/").get_data(as_text=True)


def test_an_objective_is_edited_in_place(client, db, admin, consultation):
    objective = db.exec(select(Objective).where(Objective.code == "isee")).one()
    url = f"/admin/consultazioni/{consultation.slug}/obiettivi"
    prefix = f"o{objective.id}-"
    bad = {"objective": objective.id, prefix + "title": "", prefix + "description": "Scritto."}
    page = client.post(url, data=bad)
    assert page.status_code == 422 and "Scritto." in page.get_data(as_text=True)
    good = dict(bad, **{prefix + "title": "ISEE regionale", prefix + "keywords": "isee, reddito"})
    assert client.post(url, data=good).status_code == 303
    db.refresh(objective)
    assert objective.title == "ISEE regionale" and objective.keywords == ["isee", "reddito"]
    assert db.exec(select(AuditLog).where(AuditLog.action == "objective.updated")).one()
    assert client.post(url, data={"objective": "999999"}).status_code == 404
