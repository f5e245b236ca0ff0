"""Planning beyond who may enter (that is test_authorization_matrix): nav and foreign objects."""

from sqlmodel import select

from consult.analysis.models import AnalysisRun, Theme
from consult.proposals.models import Contribution


def test_the_nav_shows_planning_to_planners_only(client, auth, create_user, consultation):
    auth.login(create_user("participant").email)
    assert "Pianificazione" not in client.get("/").get_data(as_text=True)
    auth.logout()
    auth.login(create_user("planner").email)
    assert "Pianificazione" in client.get("/").get_data(as_text=True)


def test_a_theme_of_another_run_or_a_proposal_of_nowhere_is_not_found(
    client, auth, db, create_user, create_theme_run, create_contribution
):
    create_theme_run({"Nidi": [create_contribution("Proposta sugli asili nido comunali.")]})
    old_key = db.exec(select(Theme)).one().stable_key
    auth.login(create_user("planner").email)
    create_theme_run({"Casa": [create_contribution("Affitti troppo alti per i giovani.")]})
    assert client.get(f"/pianificazione/temi/{old_key}").status_code == 404
    assert client.get("/pianificazione/analisi/999/stato").status_code == 404
    response = client.post("/pianificazione/mappatura/proposta/999", data={"objective": "x"})
    assert response.status_code == 404
    assert db.exec(select(AnalysisRun)).all() and db.exec(select(Contribution)).all()
