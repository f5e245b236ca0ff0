"""A planner's work survives a refit: name, corrected mapping and public answer (issue 6)."""

from sqlmodel import select

from consult.accountability.models import Response
from consult.analysis.models import AnalysisRun, ObjectiveMapping, Theme
from consult.framework.models import Objective


def _current_run(db) -> AnalysisRun:
    db.expire_all()
    return db.exec(select(AnalysisRun).where(AnalysisRun.is_current)).one()


def test_name_correction_and_answer_survive_a_refit(
    client, db, auth, create_user, create_contribution, theme_corpus
):
    planner = create_user("planner")
    auth.login(planner.email)
    assert client.post("/pianificazione/analisi").status_code == 303
    first_run = _current_run(db)
    theme = db.exec(
        select(Theme).where(Theme.run_id == first_run.id).order_by(Theme.size.desc())
    ).first()
    key = theme.stable_key
    abitare = db.exec(select(Objective).where(Objective.code == "abitare")).one()

    renamed = client.post(f"/pianificazione/temi/{key}/nome", data={"rename-label": "Casa e nidi"})
    assert renamed.status_code == 303
    corrected = client.post(f"/pianificazione/mappatura/tema/{key}", data={"objective": abitare.id})
    assert corrected.status_code == 303
    answered = client.post(
        "/pianificazione/risposte/nuova",
        data={"theme": key, "objective": "", "status": "accolta", "text": "Bando 2019 approvato."},
    )
    assert answered.status_code == 302
    response = db.exec(select(Response)).one()
    assert client.post(f"/pianificazione/risposte/{response.id}/pubblica").status_code == 302

    create_contribution("Servono più posti negli asili nido comunali anche a Verbania.")
    assert client.post("/pianificazione/analisi").status_code == 303
    second_run = _current_run(db)
    assert second_run.id != first_run.id

    refitted = db.exec(
        select(Theme).where(Theme.run_id == second_run.id, Theme.stable_key == key)
    ).one()
    assert refitted.display_label == "Casa e nidi"
    confirmed = db.exec(
        select(ObjectiveMapping).where(
            ObjectiveMapping.theme_id == refitted.id, ObjectiveMapping.source == "planner"
        )
    ).one()
    assert confirmed.objective_id == abitare.id
    assert "Casa e nidi" in client.get("/pianificazione/temi").get_data(as_text=True)
    public = client.get("/obiettivi/abitare").get_data(as_text=True)
    assert "Bando 2019 approvato." in public and "Casa e nidi" in public
