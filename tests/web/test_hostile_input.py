"""Bad input never reaches a 500 (security finding 9): huge integers in paths and
parameters, Unicode digits and NUL characters get a 4xx."""

import pytest

from consult.meetings.models import LiveSession


@pytest.mark.parametrize("path", ["/proposte/2147483648", "/proposte/" + "9" * 30])
def test_ids_beyond_the_database_integer_do_not_match_any_route(client, consultation, path):
    assert client.get(path).status_code == 404


def test_nul_in_a_query_string_is_refused_with_a_message(client, consultation):
    refused = client.get("/proposte?q=a%00b")
    assert refused.status_code == 400
    assert "caratteri non validi" in refused.get_data(as_text=True)


def test_nul_in_a_path_segment_matches_nothing(client, consultation):
    assert client.get("/obiettivi/isee%00").status_code == 404


def test_nul_in_a_form_field_is_dropped_and_the_text_kept(app):
    with app.test_request_context(
        "/", method="POST", data={"text": "Servono più\x00 centri diurni", "a\x00": "b"}
    ):
        from flask import request

        assert request.form["text"] == "Servono più centri diurni"
        assert request.form["a"] == "b"


@pytest.mark.parametrize("value", ["²", "2147483648", "-1"])
def test_a_session_filter_that_is_no_id_answers_404_not_500(
    client, auth, meeting_staff, create_live_session, value
):
    create_live_session(meeting=meeting_staff["meeting"])
    auth.login(meeting_staff["facilitator"].email)
    meeting_id = meeting_staff["meeting"].id
    answer = client.get(f"/facilitatore/incontri/{meeting_id}/esporta.csv?sessione={value}")
    assert answer.status_code == 404


def test_bulk_moderation_ignores_ids_that_are_no_ids(
    client, auth, meeting_staff, create_live_session, db
):
    live: LiveSession = create_live_session(meeting=meeting_staff["meeting"])
    auth.login(meeting_staff["facilitator"].email)
    answer = client.post(
        f"/facilitatore/sessioni/{live.id}/moderazione/blocco",
        data={"ids": ["²", "2147483648"], "action": "approva"},
    )
    assert answer.status_code == 303
