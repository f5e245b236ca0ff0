"""`consult import`: the operators' import shares the service, its report and its guarantees."""

from sqlmodel import select

from consult.proposals.models import Contribution

GOOD = "Servono più posti nei centri diurni per anziani."


def _file(tmp_path, text):
    path = tmp_path / "verbale.csv"
    path.write_bytes(text.encode("cp1252"))
    return str(path)


def test_dry_run_reports_rejected_rows_and_stores_nothing(runner, db, meeting_staff, tmp_path):
    path = _file(tmp_path, f"Intervento;Dove\r\n{GOOD};Cuneo\r\nbreve;Marte\r\n")
    meeting = meeting_staff["meeting"]
    result = runner.invoke(
        args=["import", path, "--meeting", str(meeting.id), "--dry-run", "--map", "territory=Dove"]
    )
    assert result.exit_code == 0, result.output
    assert "2 read, 1 valid, 1 rejected" in result.output
    assert (
        "riga 3: La proposta è troppo corta: almeno 10 caratteri.; Territorio sconosciuto: «Marte»."
    ) in result.output
    assert db.exec(select(Contribution)).all() == []


def test_rejected_rows_block_the_import_unless_valid_only(runner, db, meeting_staff, tmp_path):
    path = _file(tmp_path, f"Testo\r\n{GOOD}\r\nbreve\r\n")
    args = [
        "import",
        path,
        "--meeting",
        str(meeting_staff["meeting"].id),
        "--as",
        meeting_staff["facilitator"].email,
    ]
    refused = runner.invoke(args=args)
    assert refused.exit_code == 1 and "Nothing was stored" in refused.output
    assert db.exec(select(Contribution)).all() == []
    done = runner.invoke(args=[*args, "--valid-only"])
    assert done.exit_code == 0 and "Imported 1 proposals" in done.output
    stored = db.exec(select(Contribution)).one()
    assert stored.provenance["imported_by"] == meeting_staff["facilitator"].id
    assert stored.provenance["file"] == "verbale.csv" and stored.provenance["row"] == 2


def test_bad_mapping_and_unknown_meeting_exit_2(runner, meeting_staff, tmp_path):
    path = _file(tmp_path, f"Testo\r\n{GOOD}\r\n")
    bad_map = runner.invoke(args=["import", path, "--meeting", "1", "--map", "text=Nessuna"])
    assert bad_map.exit_code == 2 and "non è nel file" in bad_map.output
    no_meeting = runner.invoke(args=["import", path, "--meeting", "999"])
    assert no_meeting.exit_code == 2 and "No meeting 999" in no_meeting.output
