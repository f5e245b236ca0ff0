"""Numbers beyond the database's integer keys name no row: a 404 or a form error, never a 500."""

import pytest
from sqlmodel import func, select

from consult.accountability.models import Response
from consult.common.web import MAX_ROW_ID, row_id

TOO_BIG = str(2**63)  # beyond PostgreSQL's integer and SQLite's 64-bit one


@pytest.fixture
def planner(auth, create_user):
    user = create_user(role="planner")
    auth.login(user.email)
    return user


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", 12),
        (str(MAX_ROW_ID), MAX_ROW_ID),
        (str(MAX_ROW_ID + 1), None),
        ("0", None),
        ("²", None),
        ("١٢", None),
        ("-3", None),
        ("", None),
        (None, None),
    ],
)
def test_row_id_reads_only_ascii_numbers_in_range(text, expected):
    assert row_id(text) == expected


def test_api_contribution_with_a_huge_number_is_404(client, consultation):
    response = client.get(f"/api/v1/contributions/{TOO_BIG}")
    assert response.status_code == 404
    assert response.get_json()["status"] == 404


@pytest.mark.parametrize("page", [TOO_BIG, "abc", "0"])
def test_api_page_out_of_range_is_400_with_its_reason(client, consultation, page):
    response = client.get(f"/api/v1/contributions?page={page}")
    assert response.status_code == 400
    assert response.get_json()["detail"] == f"'page' must be an integer from 1 to {MAX_ROW_ID}"


def test_response_with_a_huge_number_is_404(client, planner, consultation):
    assert client.get(f"/pianificazione/risposte/{TOO_BIG}/modifica").status_code == 404


def test_response_to_a_huge_proposal_number_is_a_form_error(client, planner, db, consultation):
    data = {"contribution": TOO_BIG, "status": "accolta", "text": "Risposta da non perdere"}
    response = client.post("/pianificazione/risposte/nuova", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Numero di proposta non valido." in page and "Risposta da non perdere" in page
    assert db.exec(select(func.count()).select_from(Response)).one() == 0


@pytest.mark.parametrize("number", ["²", TOO_BIG])
def test_a_link_with_a_bad_proposal_number_opens_an_empty_form(
    client, planner, consultation, number
):
    response = client.get(f"/pianificazione/risposte/nuova?proposta={number}")
    assert response.status_code == 200
    assert 'name="contribution" type="number" value=""' in response.get_data(as_text=True)


def test_a_link_with_a_proposal_number_prefills_it(client, planner, consultation):
    page = client.get("/pianificazione/risposte/nuova?proposta=12").get_data(as_text=True)
    assert 'value="12"' in page
