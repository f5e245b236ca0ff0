"""Exports: same numbers as the database, nothing private, no formula injection."""

import csv
import io
import json
from datetime import UTC, datetime

from openpyxl import load_workbook
from sqlalchemy import text

from consult.planning.exports import (
    COLUMNS,
    SHEET_COLUMNS,
    chosen_statuses,
    export_rows,
    safe_cell,
    to_csv,
    to_xlsx,
)


def _seed(
    create_contribution, create_analysis, create_theme, map_contribution, objectives, create_user
):
    author = create_user(email="autrice@example.org")
    run = create_analysis()
    risky = create_contribution(
        text='=HYPERLINK("http://evil")',
        published_at=datetime(2017, 10, 12, 8, 30, 15, 123456, tzinfo=UTC),
        author_id=author.id,
        author_name="Anna Bianchi",
        author_email="anna@example.org",
        idempotency_key="idem-42",
    )
    themed = create_contribution(text="Più case popolari", status="pending")
    create_theme(
        run,
        label="Casa",
        members=[themed],
        objectives=[(objectives["abitare"], 0.8)],
        custom_label="Abitare sociale",
        stable_key="casa",
    )
    map_contribution(risky, objectives["isee"], source="planner")
    return risky, themed


def test_rows_match_the_database(
    db,
    consultation,
    create_contribution,
    create_analysis,
    create_theme,
    map_contribution,
    objectives,
    create_user,
):
    risky, themed = _seed(
        create_contribution,
        create_analysis,
        create_theme,
        map_contribution,
        objectives,
        create_user,
    )
    rows = export_rows(db, consultation)
    assert len(rows) == db.execute(text("SELECT COUNT(*) FROM contribution")).scalar_one()
    by_id = {row["id"]: row for row in rows}
    assert by_id[themed.id]["status"] == "pending"
    assert by_id[themed.id]["theme"] == "casa"
    assert by_id[themed.id]["theme_label"] == "Abitare sociale"
    assert by_id[themed.id]["objectives"] == ["abitare"]
    assert by_id[themed.id]["objective_source"] == "theme-model"
    assert by_id[themed.id]["confidence"] == 0.8
    assert by_id[risky.id]["objectives"] == ["isee"]
    assert by_id[risky.id]["objective_source"] == "planner"
    assert list(rows[0]) == list(COLUMNS)


def test_csv_xlsx_json_carry_no_private_data_and_no_formulas(
    db,
    consultation,
    create_contribution,
    create_analysis,
    create_theme,
    map_contribution,
    objectives,
    create_user,
):
    risky, _themed = _seed(
        create_contribution,
        create_analysis,
        create_theme,
        map_contribution,
        objectives,
        create_user,
    )
    rows = export_rows(db, consultation)
    csv_text = to_csv(db, rows)
    assert csv_text.startswith("\ufeff")
    reader = csv.DictReader(io.StringIO(csv_text.lstrip("\ufeff")), delimiter=";")
    parsed = {int(r["N."]): r for r in reader}
    assert parsed[risky.id]["Testo"] == '\'=HYPERLINK("http://evil")'
    workbook = to_xlsx(db, rows)
    sheet = load_workbook(io.BytesIO(workbook)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == [str(header) for _key, header, _w, _k in SHEET_COLUMNS]
    assert all(not str(v).startswith("=") for row in values for v in row if v is not None)
    assert sheet.cell(row=2, column=1).data_type == "n"
    published_at = values[0].index("Pubblicata il")
    dated = [row[published_at] for row in sheet.iter_rows(min_row=2) if row[published_at].value]
    assert dated and all(cell.is_date for cell in dated)
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == f"A1:V{len(values)}"
    everything = csv_text + json.dumps(rows) + str(values)
    for secret in (
        "Anna Bianchi",
        "anna@example.org",
        "autrice@example.org",
        "idem-42",
        risky.tracking_token,
    ):
        assert secret not in everything


def test_safe_cell_flattens_and_neutralises():
    assert safe_cell(["isee", "abitare"]) == "isee; abitare"
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert safe_cell("+39 011") == "'+39 011"
    assert safe_cell("Normale") == "Normale"
    assert safe_cell(3) == 3


def test_the_csv_streams_header_first_and_rows_in_batches(db, consultation, create_contribution):
    from consult.planning.exports import csv_chunks, iter_export_rows

    made = [create_contribution(text=f"Proposta {n}") for n in range(5)]
    rows = iter_export_rows(db, consultation, batch=2)
    chunks = csv_chunks(db, rows)
    assert next(chunks).startswith("\ufeffN.;Stato;Titolo;Testo")
    body = "".join(chunks)
    assert [int(r[0]) for r in csv.reader(io.StringIO(body), delimiter=";")] == [c.id for c in made]


def test_statuses_are_chosen_published_by_default(db, consultation, create_contribution):
    published = create_contribution(text="Pubblicata")
    pending = create_contribution(text="In attesa", status="pending")
    create_contribution(text="Rifiutata", status="rejected")
    assert chosen_statuses([]) == ("published",)
    assert chosen_statuses(["bogus"]) == ("published",)
    assert chosen_statuses(["pending", "published", "x"]) == ("pending", "published")
    rows = export_rows(db, consultation, statuses=chosen_statuses([]))
    assert [r["id"] for r in rows] == [published.id]
    both = export_rows(db, consultation, statuses=("published", "pending"))
    assert [r["id"] for r in both] == [published.id, pending.id]
