"""Entry, import and export of a meeting that does not exist (roles: test_authorization_matrix)."""


def test_unknown_meeting_is_404_for_staff(client, auth, meeting_staff):
    auth.login(meeting_staff["admin"].email)
    assert client.get("/facilitatore/incontri/999/inserimento").status_code == 404
    assert client.get("/facilitatore/incontri/999/esporta.csv").status_code == 404
