"""The follow and preferences pages name what is followed (an objective's title, a proposal's
words, a territory's name), never a bare id."""

from sqlmodel import select

from consult.framework.models import Objective, Territory
from consult.notifications import services, tokens

EMAIL = "lettrice@example.org"


def test_preferences_name_every_follow(client, db, consultation, create_contribution):
    objective = db.exec(select(Objective).order_by(Objective.id)).first()
    territory = db.exec(select(Territory).where(Territory.code == "cuneo")).one()
    proposal = create_contribution(text="Un pulmino a chiamata per le frazioni di montagna.")
    for kind, target in (("objective", objective.id), ("territory", territory.id)):
        services.ask_to_follow(
            db, email=EMAIL, kind=kind, target_id=target, frequency="daily", locale="it"
        )
    services.ask_to_follow(
        db, email=EMAIL, kind="proposal", target_id=proposal.id, frequency="daily", locale="it"
    )
    db.commit()
    page = client.get(f"/notifiche/preferenze/{tokens.make('test-secret', 'manage', EMAIL)}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f"Obiettivo: {objective.title}" in text
    assert "Territorio: Cuneo" in text
    assert f"Proposta n. {proposal.id}: «Un pulmino a chiamata" in text
    assert f"n. {objective.id}<" not in text


def test_the_follow_page_says_what_will_be_followed(client, db, consultation):
    objective = db.exec(select(Objective).order_by(Objective.id)).first()
    page = client.get(f"/notifiche/segui/objective/{objective.id}")
    assert page.status_code == 200
    assert f"Obiettivo: {objective.title}" in page.get_data(as_text=True)
