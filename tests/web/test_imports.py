"""The import pages: upload once, map columns, dry run with every rejected row, apply or nothing."""

import io
import re

import pytest
from openpyxl import Workbook, load_workbook
from sqlmodel import select

from consult.common.models import AuditLog
from consult.meetings import imports
from consult.proposals.models import Contribution

GOOD = "Servono più posti nei centri diurni per anziani."
CSV = (
    "\ufeffProposta;Provincia;Data\r\n"
    f"{GOOD};;09/10/2017\r\n"
    "breve;Torino;\r\n"
    "Più sostegno alle famiglie affidatarie.;Atlantide;\r\n"
    "Trasporti accessibili per le persone disabili.;Cuneo;01/03/2018\r\n"
).encode()


@pytest.fixture(autouse=True)
def import_folder(app, tmp_path):
    app.config["IMPORT_FOLDER"] = str(tmp_path / "imports")
    return tmp_path / "imports"


@pytest.fixture
def logged(meeting_staff, auth):
    auth.login(meeting_staff["facilitator"].email)
    return meeting_staff


def _base(meeting):
    return f"/facilitatore/incontri/{meeting.id}/importa"


def _upload(client, meeting, data=CSV, name="verbale.csv"):
    return client.post(
        _base(meeting), data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data"
    )


def _token(response):
    return response.headers["Location"].rstrip("/").split("/")[-1]


def test_upload_keeps_the_file_and_shows_preview_with_guessed_mapping(
    client, logged, import_folder
):
    response = _upload(client, logged["meeting"])
    assert response.status_code == 303
    token = _token(response)
    assert (import_folder / f"{token}.data").read_bytes() == CSV
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "verbale.csv" in page and "4 righe di dati" in page and "utf-8-sig" in page
    assert re.search(r'id="map-text" name="text".*?<option value="0" selected>', page, re.S)
    assert re.search(r'id="map-territory".*?<option value="1" selected>', page, re.S)
    assert "Trasporti accessibili" in page  # preview


def test_dry_run_lists_each_rejected_row_and_stores_nothing(client, db, logged):
    token = _token(_upload(client, logged["meeting"]))
    response = client.post(
        f"{_base(logged['meeting'])}/{token}/verifica",
        data={"text": "0", "territory": "1", "date": "2"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.search(
        r'<th scope="row">3</th>\s*<td><span class="d-block">La proposta è troppo corta', page
    )
    assert re.search(
        r'<th scope="row">4</th>\s*<td><span class="d-block">Territorio sconosciuto', page
    )
    assert 'id="count-valid">2<' in page and 'id="count-rejected">2<' in page
    assert "Importa le 2 righe valide" in page
    assert db.exec(select(Contribution)).all() == []


def test_confirm_imports_valid_rows_once_and_deletes_the_file(client, db, logged, import_folder):
    meeting = logged["meeting"]
    token = _token(_upload(client, meeting))
    form = {"text": "0", "territory": "1", "date": "2", "attese": "2"}
    response = client.post(f"{_base(meeting)}/{token}/conferma", data=form)
    assert response.status_code == 200
    assert "2 proposte importate e pubblicate." in response.get_data(as_text=True)
    stored = db.exec(select(Contribution).order_by(Contribution.id)).all()
    assert [(c.provenance["row"], c.channel) for c in stored] == [(2, "import"), (5, "import")]
    assert stored[0].provenance["imported_by"] == logged["facilitator"].id
    assert list(import_folder.iterdir()) == []
    summary = db.exec(select(AuditLog).where(AuditLog.entity_type == "meeting")).one()
    assert summary.after["stored"] == 2
    again = client.post(f"{_base(meeting)}/{token}/conferma", data=form)
    assert again.status_code == 404
    assert len(db.exec(select(Contribution)).all()) == 2


def test_confirm_refuses_when_the_valid_count_changed(client, db, logged, create_contribution):
    meeting = logged["meeting"]
    token = _token(_upload(client, meeting))
    create_contribution(text=GOOD, meeting_id=meeting.id)
    response = client.post(
        f"{_base(meeting)}/{token}/conferma", data={"text": "0", "territory": "1", "attese": "2"}
    )
    assert response.status_code == 409
    assert "qualcosa è cambiato" in response.get_data(as_text=True)
    assert len(db.exec(select(Contribution)).all()) == 1


def test_unexpected_failure_mid_import_stores_nothing_and_says_so(
    client, db, logged, monkeypatch, import_folder
):
    meeting = logged["meeting"]
    token = _token(_upload(client, meeting))
    original, calls = imports._draft, []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise OSError("disco pieno")
        return original(*args, **kwargs)

    monkeypatch.setattr(imports, "_draft", failing)
    response = client.post(
        f"{_base(meeting)}/{token}/conferma", data={"text": "0", "territory": "1", "attese": "2"}
    )
    assert response.status_code == 500
    assert "nessuna riga è stata salvata" in response.get_data(as_text=True)
    assert db.exec(select(Contribution)).all() == []
    assert db.exec(select(AuditLog)).all() == []
    assert (import_folder / f"{token}.data").exists()  # the user can retry without re-uploading


def test_mapping_without_text_column_is_422(client, logged):
    token = _token(_upload(client, logged["meeting"]))
    response = client.post(f"{_base(logged['meeting'])}/{token}/verifica", data={"territory": "1"})
    assert response.status_code == 422
    assert "Indica quale colonna contiene il testo" in response.get_data(as_text=True)


def test_xlsx_with_sheet_choice(client, db, logged):
    workbook = Workbook()
    workbook.active.title = "Note"
    workbook.active.append(["Appunti"])
    sheet = workbook.create_sheet("Moduli")
    sheet.append(["Testo", "Canale"])
    sheet.append([GOOD, "cartaceo"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    meeting = logged["meeting"]
    token = _token(_upload(client, meeting, buffer.getvalue(), "moduli.xlsx"))
    page = client.get(f"{_base(meeting)}/{token}?foglio=Moduli").get_data(as_text=True)
    assert '<option value="Moduli" selected>' in page
    client.post(
        f"{_base(meeting)}/{token}/conferma",
        data={"text": "0", "channel": "1", "foglio": "Moduli", "attese": "1"},
    )
    stored = db.exec(select(Contribution)).one()
    assert stored.channel == "paper" and stored.provenance["sheet"] == "Moduli"


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "vuoto.csv", "Il file è vuoto"),
        (b"PK\x03\x04xx", "a.xlsx", "non è un .xlsx valido"),
        (b"Testo\n" + b"x" * 2048, "grande.csv", "supera 2 KB"),
    ],
)
def test_bad_uploads_are_422_and_nothing_is_kept(
    app, client, logged, import_folder, data, name, message
):
    app.config["IMPORT_MAX_BYTES"] = 2048
    response = _upload(client, logged["meeting"], data, name)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert not import_folder.exists() or list(import_folder.iterdir()) == []


def test_an_upload_belongs_to_its_meeting_and_user(client, logged, auth, create_meeting, db):
    token = _token(_upload(client, logged["meeting"]))
    other = create_meeting(title="Altro", facilitators=[logged["facilitator"]])
    assert client.get(f"{_base(other)}/{token}").status_code == 404
    auth.logout()
    auth.login(logged["admin"].email)
    assert client.get(f"{_base(logged['meeting'])}/{token}").status_code == 404
    assert client.get(f"{_base(logged['meeting'])}/..%2Fsecret_key").status_code == 404


def test_template_downloads(client, logged):
    csv_response = client.get("/facilitatore/incontri/modello-importazione.csv")
    assert csv_response.headers["Content-Disposition"].startswith("attachment")
    assert csv_response.data.startswith("\ufeffTesto;Titolo;Territorio".encode())
    xlsx = client.get("/facilitatore/incontri/modello-importazione.xlsx")
    headers = [c.value for c in next(load_workbook(io.BytesIO(xlsx.data)).active.iter_rows())]
    assert headers[:3] == ["Testo", "Titolo", "Territorio"]


def test_the_template_itself_imports_cleanly(client, db, logged):
    template = client.get("/facilitatore/incontri/modello-importazione.csv").data
    token = _token(_upload(client, logged["meeting"], template, "modello.csv"))
    page = client.get(f"{_base(logged['meeting'])}/{token}").get_data(as_text=True)
    form = dict(
        re.findall(r'id="map-(\w+)" name="\w+".*?<option value="(\d+)" selected>', page, re.S)
    )
    report = client.post(f"{_base(logged['meeting'])}/{token}/verifica", data=form)
    assert 'id="count-valid">1<' in report.get_data(as_text=True)


def test_the_report_speaks_english_when_the_ui_does(client, logged):
    client.post("/lingua", data={"lang": "en"})
    token = _token(_upload(client, logged["meeting"]))
    page = client.post(
        f"{_base(logged['meeting'])}/{token}/verifica", data={"text": "0", "territory": "1"}
    ).get_data(as_text=True)
    assert "Unknown territory: “Atlantide”." in page
    assert "The proposal is too short: at least 10 characters." in page
    assert "Import the 2 valid rows" in page
