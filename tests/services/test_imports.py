"""Import of minutes and paper forms: reading, mapping, row validation, all-or-nothing apply."""

import io
from datetime import date

import pytest
from openpyxl import Workbook
from sqlmodel import select

from consult.common.models import AuditLog
from consult.common.tabular import TableError, read_table
from consult.framework.models import Objective, Territory
from consult.meetings import imports
from consult.meetings.import_mapping import (
    MappingError,
    guess_mapping,
    mapping_from_form,
    mapping_from_names,
)
from consult.proposals.models import Contribution

GOOD = "Servono più posti nei centri diurni per anziani."


def _csv(rows, delimiter=";", encoding="utf-8"):
    return "\r\n".join(delimiter.join(r) for r in rows).encode(encoding)


def _xlsx(sheets):
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_utf8_with_bom_and_semicolons():
    data = "\ufeffTesto;Territorio\r\nPiù servizi per l'età anziana;Torino\r\n".encode()
    table = read_table(data, "verbale.csv")
    assert (table.encoding, table.delimiter) == ("utf-8-sig", ";")
    assert table.headers == ["Testo", "Territorio"]
    assert table.rows == [["Più servizi per l'età anziana", "Torino"]]


def test_cp1252_with_accented_italian_and_commas():
    data = _csv(
        [["Proposta", "Provincia"], ["Perché non c'è un servizio più vicino?", "Cuneo"]],
        delimiter=",",
        encoding="cp1252",
    )
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    table = read_table(data, "moduli.csv")
    assert (table.encoding, table.delimiter) == ("cp1252", ",")
    assert table.rows[0][0] == "Perché non c'è un servizio più vicino?"


def test_tab_delimiter_and_quoted_commas_and_newlines():
    data = b'Testo\tAutore\n"Uno, due; tre:\nservizi per tutti"\tAda\n'
    table = read_table(data, "x.tsv")
    assert table.delimiter == "\t"
    assert table.rows == [["Uno, due; tre:\nservizi per tutti", "Ada"]]


def test_xlsx_first_sheet_or_chosen_sheet_with_dates():
    data = _xlsx(
        {
            "Verbale": [["Testo", "Data"], [GOOD, date(2017, 10, 9)]],
            "Moduli": [["Proposta"], ["Un'altra proposta per il territorio."]],
        }
    )
    first = read_table(data, "incontro.xlsx")
    assert (first.sheet, first.sheets) == ("Verbale", ["Verbale", "Moduli"])
    assert first.rows[0][0] == GOOD
    chosen = read_table(data, "incontro.xlsx", sheet="Moduli")
    assert chosen.headers == ["Proposta"]
    with pytest.raises(TableError, match="non esiste"):
        read_table(data, "incontro.xlsx", sheet="Altro")


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "vuoto.csv", "vuoto"),
        (b"PK\x03\x04rotto", "rotto.xlsx", "non è un .xlsx valido"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1xx", "vecchio.xls", ".xls"),
        (b";;\r\nuna proposta;x\r\n", "senza.csv", "intestazione"),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(data, name, message):
    with pytest.raises(TableError, match=message):
        read_table(data, name)


def test_mapping_is_guessed_from_italian_and_english_headers():
    headers = [
        "N.",
        "Nome e cognome",
        "Provincia",
        "Proposta",
        "Obiettivo suggerito",
        "Date",
        "Canale",
        "Role",
    ]
    assert guess_mapping(headers) == {
        "text": 3,
        "title": None,
        "territory": 2,
        "role": 7,
        "channel": 6,
        "objective": 4,
        "author": 1,
        "date": 5,
    }


def test_mapping_requires_text_and_distinct_columns():
    table = read_table(_csv([["Testo", "Titolo"], [GOOD, "x"]]), "a.csv")
    with pytest.raises(MappingError, match="testo"):
        mapping_from_form(table, {"title": "1"})
    with pytest.raises(MappingError, match="più campi"):
        mapping_from_form(table, {"text": "0", "title": "0"})
    assert mapping_from_names(table, {"text": "titolo", "title": ""})["text"] == 1
    with pytest.raises(MappingError, match="non è nel file"):
        mapping_from_names(table, {"text": "Nessuna"})


@pytest.fixture
def meeting(meeting_staff):
    return meeting_staff["meeting"]


BAD_FILE = [
    ["Testo", "Territorio", "Canale", "Obiettivo", "Data", "Ruolo"],
    [GOOD, "", "", "", "09/10/2017", ""],  # 2 ok
    ["troppo corto", "Torino", "", "", "", ""],  # 3 ok (12)
    ["breve", "Torino", "", "", "", ""],  # 4 short
    ["Più sostegno alle famiglie affidatarie.", "Atlantide", "", "", "", ""],  # 5 territory
    ["Più sostegno ai caregiver familiari.", "CUNEO", "online", "", "", ""],  # 6 channel
    ["Case di comunità in ogni distretto.", "", "cartaceo", "Obiettivo X", "", ""],  # 7 objective
    ["Trasporti per le persone disabili.", "", "", "", "31/02/2017", ""],  # 8 date
    ["", "", "", "", "", ""],  # 9 blank
    [GOOD.upper() + "  ", "", "", "", "", ""],  # 10 dup of 2
    ["Sportello unico per l'abitare.", "", "incontro", "abitare", "1.3.2018", "astronauta"],
    [
        "Sportello unico per l'abitare sociale.",
        "cuneo",
        "in presenza",
        "Regolamento ISEE",
        "2018-03-01",
        "Operatore sociale",
    ],  # 12 ok
]


def test_dry_run_reports_every_bad_row_with_number_and_reason_and_stores_nothing(db, meeting):
    table = read_table(_csv(BAD_FILE), "verbale.csv")
    plan = imports.plan_import(db, table, guess_mapping(table.headers), meeting)
    reasons = {r.row: [p.message % p.params for p in r.problems] for r in plan.rejected}
    assert [r.row for r in plan.valid] == [2, 3, 12]
    assert reasons == {
        4: ["La proposta è troppo corta: almeno 10 caratteri."],
        5: ["Territorio sconosciuto: «Atlantide»."],
        6: [
            "Canale non ammesso in un'importazione: «online» "
            "(usa Incontro sul territorio, Su carta o Importata)."
        ],
        7: ["Obiettivo sconosciuto: «Obiettivo X»."],
        8: ["Data non valida: «31/02/2017» (usa 12/10/2017 o 12 ottobre 2017)."],
        10: ["Duplicato della riga 2."],
        11: ["Ruolo sconosciuto: «astronauta»."],
    }
    assert plan.blank_rows == 1 and plan.total == 10
    assert db.exec(select(Contribution)).all() == []


def test_values_of_valid_rows_are_resolved(db, meeting):
    table = read_table(_csv(BAD_FILE), "verbale.csv")
    plan = imports.plan_import(db, table, guess_mapping(table.headers), meeting)
    first, _second, last = plan.valid
    cuneo = db.exec(select(Territory).where(Territory.code == "cuneo")).one()
    isee = db.exec(select(Objective).where(Objective.code == "isee")).one()
    assert first.values["territory_id"] == meeting.territory_id  # the meeting's by default
    assert first.values["channel"] == "import" and first.values["date"] == date(2017, 10, 9)
    assert last.values["territory_id"] == cuneo.id and last.values["channel"] == "meeting"
    assert last.values["suggested_objective_id"] == isee.id
    assert last.values["participant_role"] == "operatore-sociale"
    assert last.values["date"] == date(2018, 3, 1)


def test_a_row_naming_another_consultations_territory_is_reported(
    db, meeting, territories, create_framework
):
    """The second framework has its own "torino" and a "biella" this consultation lacks."""
    other = create_framework("lavoro-2026")
    db.add(Territory(framework_id=other.id, code="biella", name="Biella", kind="province"))
    db.commit()
    rows = [["Testo", "Territorio"], [GOOD, "Biella"], ["Più tirocini per i giovani.", "torino"]]
    table = read_table(_csv(rows), "verbale.csv")
    plan = imports.plan_import(db, table, guess_mapping(table.headers), meeting)
    [rejected] = plan.rejected
    assert rejected.row == 2
    assert [p.message % p.params for p in rejected.problems] == [
        "Territorio sconosciuto: «Biella»."
    ]
    [valid] = plan.valid
    assert valid.values["territory_id"] == territories["torino"].id  # this consultation's
    accepted = imports.accepted_values(db, meeting.consultation_id)
    assert "Biella" not in {item.label for item in accepted}


def test_rows_already_among_the_meetings_contributions_are_rejected(
    db, meeting, create_contribution
):
    existing = create_contribution(
        text="  servono piu posti nei centri diurni per anziani!", meeting_id=meeting.id
    )
    table = read_table(_csv([["Testo"], [GOOD]]), "a.csv")
    plan = imports.plan_import(db, table, guess_mapping(table.headers), meeting)
    assert plan.valid == []
    problem = plan.rejected[0].problems[0]
    assert problem.message % problem.params == (
        f"Già presente tra i contributi dell'incontro (n. {existing.id})."
    )


def test_apply_stores_exactly_the_valid_rows_with_provenance_and_one_audit(
    db, meeting, meeting_staff
):
    actor = meeting_staff["facilitator"].id
    table = read_table(_csv(BAD_FILE), "verbale.csv")
    plan = imports.plan_import(db, table, guess_mapping(table.headers), meeting)
    source = imports.ImportSource("verbale.csv", "d" * 64, None)
    import_id = imports.apply_import(db, plan, meeting, source, actor_id=actor)
    db.commit()
    stored = db.exec(select(Contribution).order_by(Contribution.id)).all()
    assert [c.provenance["row"] for c in stored] == [2, 3, 12]
    assert {c.status for c in stored} == {"published"} and {c.meeting_id for c in stored} == {
        meeting.id
    }
    assert stored[0].provenance == {
        "source": "import",
        "file": "verbale.csv",
        "sheet": None,
        "row": 2,
        "import_id": import_id,
        "imported_by": actor,
        "date": "2017-10-09",
    }
    assert stored[0].created_at.date() == date(2017, 10, 9)
    audit = db.exec(select(AuditLog).where(AuditLog.entity_type == "meeting")).one()
    assert audit.action == "contributions.imported"
    assert audit.after["stored"] == 3 and audit.after["rejected"] == 7


def test_a_failure_mid_way_leaves_nothing(db, meeting, monkeypatch):
    table = read_table(_csv(BAD_FILE), "verbale.csv")
    plan = imports.plan_import(db, table, guess_mapping(table.headers), meeting)
    original, calls = imports._draft, []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disco pieno")
        return original(*args, **kwargs)

    monkeypatch.setattr(imports, "_draft", failing)
    with pytest.raises(RuntimeError):
        imports.apply_import(
            db, plan, meeting, imports.ImportSource("v.csv", "e" * 64), actor_id=None
        )
    # The savepoint alone undid it: no rollback of the caller's transaction is needed.
    assert db.exec(select(Contribution)).all() == []
    assert db.exec(select(AuditLog)).all() == []


def test_xlsx_date_cells_and_numbers_are_read_as_values(db, meeting):
    from datetime import datetime

    data = _xlsx(
        {"Verbale": [["Testo", "Data", "Titolo"], [GOOD, datetime(2017, 10, 9, 0, 0), 12345]]}
    )
    table = read_table(data, "incontro.xlsx")
    plan = imports.plan_import(db, table, guess_mapping(table.headers), meeting)
    assert plan.rejected == []
    assert plan.valid[0].values["date"] == date(2017, 10, 9)
    assert plan.valid[0].values["title"] == "12345"
