"""Import pages under stress: malformed files are 422 with a reason, a file is parsed once,
a large import runs as a job in batches with a status page and every rejected row listed."""

import io
import zipfile

import pytest
from sqlmodel import select

from consult.common import upload_store
from consult.common.models import AuditLog
from consult.meetings import import_runs, imports
from consult.proposals.models import Contribution

GOOD = "Servono più posti nei centri diurni per anziani."


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


def _upload(client, meeting, data, name="verbale.csv"):
    return client.post(
        _base(meeting), data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data"
    )


def _token(response):
    return response.headers["Location"].rstrip("/").split("/")[-1]


def _zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, body in parts.items():
            archive.writestr(name, body)
    return buffer.getvalue()


def _rows(count: int, bad_every: int = 0) -> bytes:
    lines = ["Testo"]
    for n in range(count):
        bad = bad_every and n % bad_every == 0
        lines.append("corta" if bad else f"Proposta numero {n} per più servizi nel quartiere.")
    return ("\r\n".join(lines) + "\r\n").encode()


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"PK\x03\x04" + b"\x00" * 300, "tronco.xlsx", "non è un .xlsx valido"),
        (b"ciao", "finto.xlsx", "non è un .xlsx valido"),
        (_zip({"readme.txt": b"x"}), "vuoto.xlsx", "non contiene una cartella di lavoro"),
        (_zip({"xl/workbook.xml": b"<workbook"}), "rotto.xlsx", "non è leggibile"),
        ("Testo\n".encode("utf-16-le") + b"\x00\xd8", "a.csv", "UTF-16 è danneggiato"),
    ],
    ids=["truncated", "not-a-zip", "no-workbook", "bad-xml", "bad-utf16"],
)
def test_malformed_uploads_are_422_with_the_reason(client, logged, data, name, message):
    response = _upload(client, logged["meeting"], data, name)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_mixed_encodings_are_named_on_the_mapping_page(client, logged):
    data = "Testo\r\nPiù posti\r\n".encode() + "Perché no?\r\n".encode("cp1252")
    response = _upload(client, logged["meeting"], data)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "le righe 3 non erano in UTF-8" in page and "PiÃ¹" not in page


def test_the_file_is_parsed_once_for_every_step(client, db, logged, monkeypatch):
    meeting = logged["meeting"]
    token = _token(_upload(client, meeting, _rows(3)))

    def no_second_parse(*_args, **_kwargs):
        raise AssertionError("parsed again")

    monkeypatch.setattr(upload_store, "read_table", no_second_parse)
    assert client.get(f"{_base(meeting)}/{token}").status_code == 200
    assert client.post(f"{_base(meeting)}/{token}/verifica", data={"text": "0"}).status_code == 200
    done = client.post(f"{_base(meeting)}/{token}/conferma", data={"text": "0", "attese": "3"})
    assert done.status_code == 200 and len(db.exec(select(Contribution)).all()) == 3


def test_a_large_import_runs_in_batches_and_reports_every_rejected_row(
    app, client, db, logged, monkeypatch, import_folder
):
    app.config["IMPORT_BACKGROUND_ROWS"] = 5
    monkeypatch.setattr(import_runs, "BATCH_ROWS", 4)
    batches = []
    original = imports.add_rows
    monkeypatch.setattr(
        imports,
        "add_rows",
        lambda db, rows, *a, **k: batches.append(len(rows)) or original(db, rows, *a, **k),
    )
    meeting = logged["meeting"]
    token = _token(_upload(client, meeting, _rows(12, bad_every=5)))
    response = client.post(f"{_base(meeting)}/{token}/conferma", data={"text": "0", "attese": "9"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/stato")
    assert batches == [4, 4, 1]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "9 proposte importate e pubblicate." in page and "3 righe scartate" in page
    for row in (2, 7, 12):
        assert f'<th scope="row">{row}</th>' in page
    assert "hx-trigger" not in page  # finished: no more polling
    assert len(db.exec(select(Contribution)).all()) == 9
    summary = db.exec(select(AuditLog).where(AuditLog.entity_type == "meeting")).one()
    assert summary.after == summary.after | {"stored": 9, "rejected": 3}
    assert [p.name for p in import_folder.iterdir()] == [f"{token}.progress.json"]


def test_a_failed_batch_keeps_earlier_batches_and_a_rerun_adds_no_duplicate(
    app, client, db, logged, monkeypatch, import_folder
):
    app.config["IMPORT_BACKGROUND_ROWS"] = 2
    monkeypatch.setattr(import_runs, "BATCH_ROWS", 2)
    original, calls = imports.add_rows, []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise OSError("disco pieno")
        return original(*args, **kwargs)

    monkeypatch.setattr(imports, "add_rows", failing)
    meeting = logged["meeting"]
    token = _token(_upload(client, meeting, _rows(5)))
    response = client.post(f"{_base(meeting)}/{token}/conferma", data={"text": "0", "attese": "5"})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Importazione interrotta (OSError) dopo 2 righe su 5" in page
    assert len(db.exec(select(Contribution)).all()) == 2
    monkeypatch.setattr(imports, "add_rows", original)
    with app.app_context():
        import_runs.run_import(
            str(import_folder), token, None, {"text": 0}, meeting.id, logged["facilitator"].id
        )
    assert len(db.exec(select(Contribution)).all()) == 5


def test_status_fragment_polls_while_running_and_is_private(client, logged, auth, import_folder):
    meeting = logged["meeting"]
    token = _token(_upload(client, meeting, _rows(2)))
    progress = {"status": "running", "meeting_id": meeting.id, "filename": "a.csv"}
    progress |= {"user_id": logged["facilitator"].id, "total": 10, "done": 4, "rejected": []}
    upload_store.save_progress(import_folder, token, progress)
    response = client.get(f"{_base(meeting)}/{token}/stato", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert "HX-Request" in response.headers["Vary"] and "<html" not in body
    assert 'hx-trigger="every 1s"' in body and "Salvate 4 righe su 10" in body
    upload_store.save_progress(import_folder, token, progress | {"user_id": -1})
    assert client.get(f"{_base(meeting)}/{token}/stato").status_code == 404


def test_a_batch_that_loses_a_lock_race_is_run_again_without_duplicates(
    app, client, db, logged, monkeypatch
):
    from sqlalchemy.exc import OperationalError

    app.config["IMPORT_BACKGROUND_ROWS"] = 2
    monkeypatch.setattr(import_runs, "BATCH_ROWS", 2)
    monkeypatch.setattr(import_runs, "BATCH_PAUSE_SECONDS", 0)
    original, calls = imports.add_rows, []

    def locked_once(session, rows, *args, **kwargs):
        calls.append(len(rows))
        original(session, rows, *args, **kwargs)
        if len(calls) == 2:  # after adding, before the commit: the whole batch rolls back
            raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(imports, "add_rows", locked_once)
    meeting = logged["meeting"]
    token = _token(_upload(client, meeting, _rows(5)))
    response = client.post(f"{_base(meeting)}/{token}/conferma", data={"text": "0", "attese": "5"})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "5 proposte importate e pubblicate." in page
    assert calls == [2, 2, 2, 1]
    assert len(db.exec(select(Contribution)).all()) == 5


def test_a_sheet_that_cannot_be_read_answers_the_upload_page_with_the_reason(
    client, logged, monkeypatch
):
    from openpyxl import Workbook

    from consult.common import xlsx_reader

    workbook = Workbook()
    workbook.active.append(["Testo"])
    workbook.active.append([GOOD])
    big = workbook.create_sheet("Grande")
    for n in range(10):
        big.append([f"{GOOD} {n}", "x", "y"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    meeting = logged["meeting"]
    token = _token(_upload(client, meeting, buffer.getvalue(), "due.xlsx"))
    monkeypatch.setattr(xlsx_reader, "MAX_CELLS", 20)
    response = client.get(f"{_base(meeting)}/{token}?foglio=Grande")
    assert response.status_code == 422
    assert "troppe celle" in response.get_data(as_text=True)
    assert client.get(f"{_base(meeting)}/{token}").status_code == 200  # first sheet kept
