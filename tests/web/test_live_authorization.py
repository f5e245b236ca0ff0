"""Moderation touches the session's own items only (who may moderate: the authorization matrix)."""

from consult.proposals.models import Contribution


def test_an_item_of_another_session_is_not_found(
    client, auth, db, create_user, create_live_session, create_contribution
):
    facilitator = create_user(role="facilitator")
    live = create_live_session(facilitators=[facilitator])
    stranger = create_contribution(status="pending")
    auth.login(facilitator.email)
    url = f"/facilitatore/sessioni/{live.id}/proposte/{stranger.id}/approva"
    assert client.post(url).status_code == 404
    db.refresh(stranger)
    assert db.get(Contribution, stranger.id).status == "pending"
