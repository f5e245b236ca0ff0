"""The data download holds an address's follows and notification log; erasure removes them."""

from sqlmodel import select

from consult.accounts import personal_data
from consult.notifications import services
from consult.notifications.models import Follow, Notification


def test_export_and_erasure_cover_follows_and_the_log(db, consultation, create_user, objectives):
    user = create_user(email="persona@example.org")
    objective = next(iter(objectives.values()))
    services.ask_to_follow(
        db,
        email=user.email,
        kind="objective",
        target_id=objective.id,
        frequency="daily",
        locale="en",
    )
    db.commit()
    data = personal_data.export(db, user, lambda token: token)
    assert data["follows"][0]["kind"] == "objective" and data["follows"][0]["frequency"] == "daily"
    assert data["notifications"][0]["kind"] == "confirm"

    personal_data.delete_account(db, user)
    db.commit()
    assert db.exec(select(Follow)).all() == [] and db.exec(select(Notification)).all() == []
