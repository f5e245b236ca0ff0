"""The import pages: upload once, map columns, dry run with every rejected row, apply or nothing."""

import csv
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
    example = csv_response.data.decode("utf-8-sig")
    assert "Provincia di Cuneo;Giovane in servizio civile;Incontro sul territorio" in example
    xlsx = client.get("/facilitatore/incontri/modello-importazione.xlsx")
    book = load_workbook(io.BytesIO(xlsx.data))
    headers = [c.value for c in next(book.active.iter_rows())]
    assert headers[:3] == ["Testo", "Titolo", "Territorio"]
    listed = {
        (field, label, code)
        for field, label, code in book["Valori ammessi"].iter_rows(min_row=2, values_only=True)
    }
    assert ("Canale", "Su carta", "paper") in listed
    assert ("Ruolo", "Giovane in servizio civile", "servizio-civile") in listed
    assert ("Territorio", "Cuneo", "cuneo") in listed
    assert ("Obiettivo", "Regolamento ISEE", "isee") in listed
    assert any(field == "Data" and "12 ottobre 2017" in label for field, label, _c in listed)


def test_the_template_itself_imports_cleanly(client, db, logged):
    template = client.get("/facilitatore/incontri/modello-importazione.csv").data
    token = _token(_upload(client, logged["meeting"], template, "modello.csv"))
    page = client.get(f"{_base(logged['meeting'])}/{token}").get_data(as_text=True)
    form = dict(
        re.findall(r'id="map-(\w+)" name="\w+".*?<option value="(\d+)" selected>', page, re.S)
    )
    report = client.post(f"{_base(logged['meeting'])}/{token}/verifica", data=form)
    page = report.get_data(as_text=True)
    assert 'id="count-valid">2<' in page and 'id="count-rejected">0<' in page


def test_the_report_speaks_english_when_the_ui_does(client, logged):
    client.post("/lingua", data={"lang": "en"})
    token = _token(_upload(client, logged["meeting"]))
    page = client.post(
        f"{_base(logged['meeting'])}/{token}/verifica", data={"text": "0", "territory": "1"}
    ).get_data(as_text=True)
    assert "Unknown territory: “Atlantide”." in page
    assert "The proposal is too short: at least 10 characters." in page
    assert "Import the 2 valid rows" in page


# A realistic minutes file written with the product's own words: labels as the pages show
# them (in Italian and English), codes, case and accents aside, "Provincia di ...", dates in
# words or numbers.
MINUTES = [
    ("Testo", "Territorio", "Ruolo", "Canale", "Obiettivo", "Data"),
    ("Più educatori nei centri diurni per ragazzi.", "Provincia di Cuneo",
     "Giovane in servizio civile", "Su carta", "Regolamento ISEE", "12 ottobre 2017"),
    ("Sportelli unici per la casa in ogni distretto.", "Città metropolitana di Torino",
     "Operatrice o operatore sociale", "Incontro sul territorio", "politiche per l'abitare",
     "12/10/2017"),
    ("Trasporti accessibili nelle valli alpine.", "cuneo", "CITTADINA", "cartaceo", "abitare",
     "2017-10-12"),
    ("Un fondo per le famiglie affidatarie.", "TORINO", "Terzo settore o volontariato",
     "in sala", "isee", "lun 12 ott 2017"),
    ("Orari dei servizi compatibili con il lavoro.", "Prov. di Cuneo", "ente-locale", "paper",
     "", "1° ottobre 2017"),
    ("Più assistenti sociali nei piccoli comuni.", "", "Sindacato", "Importata", "",
     "12 ottobre 2017 ore 9:30"),
    ("Borse lavoro per chi esce dalla comunità.", "Provincia di Torino", "Local authority",
     "On paper", "Regolamento Isee", "12/10/17"),
    ("Case di quartiere aperte la sera.", "Torino", "Young person in civil service",
     "Local meeting", "", "12 October 2017"),
    ("Un registro unico delle assistenti familiari.", "Cuneo", "operatore sociale", "Verbale",
     "", "12.10.2017"),
    ("Sostegno psicologico agli adolescenti.", "cuneo", "Altro", "modulo cartaceo", "", ""),
    ("Mense scolastiche a tariffa ISEE.", "Provincia di cuneo", "servizio civile", "Scheda",
     "ISEE", "ottobre 12 2017"),
    ("Più posti nei nidi comunali di montagna.", "Torino", "Cittadina o cittadino",
     "incontro", "", "12 ott. 2017"),
]  # fmt: skip


def _sheet(rows) -> bytes:
    return ("\ufeff" + "".join(";".join(row) + "\r\n" for row in rows)).encode()


def _mapping_of(client, meeting, token) -> dict:
    """The columns the mapping page guessed, field by field (those it left unmapped omitted)."""
    page = client.get(f"{_base(meeting)}/{token}").get_data(as_text=True)
    chosen = {}
    for name, options in re.findall(r'<select[^>]*id="map-(\w+)"[^>]*>(.*?)</select>', page, re.S):
        selected = re.search(r'<option value="(\d+)" selected>', options)
        if selected:
            chosen[name] = selected.group(1)
    return chosen


def test_minutes_written_with_the_products_own_labels_import_with_no_rejected_row(
    client, db, logged
):
    meeting = logged["meeting"]
    token = _token(_upload(client, meeting, _sheet(MINUTES), "verbale-asti.csv"))
    form = _mapping_of(client, meeting, token)
    assert set(form) == {"text", "territory", "role", "channel", "objective", "date"}
    page = client.post(f"{_base(meeting)}/{token}/verifica", data=form).get_data(as_text=True)
    assert 'id="count-valid">12<' in page and 'id="count-rejected">0<' in page, page
    confirmed = client.post(f"{_base(meeting)}/{token}/conferma", data={**form, "attese": "12"})
    assert "12 proposte importate e pubblicate." in confirmed.get_data(as_text=True)
    stored = {c.text: c for c in db.exec(select(Contribution))}
    first = stored["Più educatori nei centri diurni per ragazzi."]
    assert (first.channel, first.participant_role) == ("paper", "servizio-civile")
    assert first.created_at.date().isoformat() == "2017-10-12"
    assert stored["Case di quartiere aperte la sera."].channel == "meeting"
    assert stored["Più assistenti sociali nei piccoli comuni."].channel == "import"


BAD_MINUTES = [
    ("Testo", "Territorio", "Ruolo", "Canale", "Data"),
    ("Una proposta valida sui servizi domiciliari.", "Cuneo", "Cittadina", "Su carta", ""),
    ("corta", "Cuneo", "", "", ""),
    ("Una proposta su un territorio inesistente.", "Provincia di Atlantide", "", "", ""),
    ("Una proposta con un ruolo inventato.", "Torino", "astronauta", "", ""),
    ("Una proposta arrivata online, non da un verbale.", "Torino", "", "Online", ""),
    ("Una proposta con una data impossibile.", "Torino", "", "", "31 febbraio 2017"),
    ("Una proposta con una data illeggibile.", "Torino", "", "", "il giorno dopo"),
]


def test_every_bad_row_is_reported_and_the_rejected_rows_download_reads_back(client, db, logged):
    meeting = logged["meeting"]
    token = _token(_upload(client, meeting, _sheet(BAD_MINUTES), "verbale.csv"))
    form = _mapping_of(client, meeting, token)
    page = client.post(f"{_base(meeting)}/{token}/verifica", data=form).get_data(as_text=True)
    assert 'id="count-valid">1<' in page and 'id="count-rejected">6<' in page
    link = re.search(r'href="([^"]+/scartate\.csv[^"]*)"', page).group(1).replace("&amp;", "&")
    response = client.get(link)
    assert response.status_code == 200 and response.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [*BAD_MINUTES[0], "Riga del file", "Motivo dello scarto"]
    assert [row[:5] for row in rows[1:]] == [list(r) for r in BAD_MINUTES[2:]]
    reasons = {int(row[5]): row[6] for row in rows[1:]}
    assert set(reasons) == {3, 4, 5, 6, 7, 8}
    assert reasons[4] == "Territorio sconosciuto: «Provincia di Atlantide»."
    assert reasons[5] == "Ruolo sconosciuto: «astronauta»."
    assert "Canale non ammesso in un'importazione: «Online»" in reasons[6]
    assert "Data non valida: «31 febbraio 2017»" in reasons[7]
    assert "Data non valida: «il giorno dopo»" in reasons[8]
    xlsx = client.get(link.replace("scartate.csv", "scartate.xlsx"))
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    second_row = next(sheet.iter_rows(min_row=2, max_row=2, values_only=True))
    assert [value or "" for value in second_row[:5]] == list(BAD_MINUTES[2])
    assert sheet.auto_filter.ref == "A1:G7"
    # the downloaded file goes back in as it is: the extra columns map to nothing
    again = _token(_upload(client, meeting, response.data, "righe-scartate.csv"))
    form_again = _mapping_of(client, meeting, again)
    assert form_again == form
    second = client.post(f"{_base(meeting)}/{again}/verifica", data=form_again)
    assert 'id="count-rejected">6<' in second.get_data(as_text=True)
    assert db.exec(select(Contribution)).all() == []


def test_the_rejected_rows_of_another_users_upload_are_not_there(client, auth, logged):
    token = _token(_upload(client, logged["meeting"]))
    auth.logout()
    auth.login(logged["admin"].email)
    assert client.get(f"{_base(logged['meeting'])}/{token}/scartate.csv").status_code == 404
