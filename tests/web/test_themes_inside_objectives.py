"""The themes page has the strategy's objectives as its top level (issue "Analysis" 1)."""

import re

from sqlmodel import select

from consult.analysis.models import ObjectiveMapping, Theme


def _section_of(page: str, heading: str) -> str:
    sections = re.split(r'<section class="objective-group', page)
    return next(s for s in sections if heading in s.split("</h3>")[0])


def test_themes_sit_under_their_objective_in_strategy_order(
    client, db, auth, create_user, objectives, create_contribution, create_theme_run
):
    auth.login(create_user("planner").email)
    nidi = [create_contribution(f"Servono più posti negli asili nido, zona {i}.") for i in range(3)]
    casa = [create_contribution(f"Gli affitti sono troppo alti in zona {i}.") for i in range(2)]
    altro = [create_contribution(f"Mancano i bagni pubblici al mercato {i}.") for i in range(2)]
    run = create_theme_run({"asili nido": nidi, "affitti casa": casa, "bagni mercato": altro})
    themes = {t.label: t for t in db.exec(select(Theme).where(Theme.run_id == run.id)).all()}
    low = ObjectiveMapping(  # the model is unsure, but its best objective still places the theme
        theme_id=themes["affitti casa"].id,
        objective_id=objectives["abitare"].id,
        confidence=0.21,
        source="model",
        run_id=run.id,
    )
    confirmed = ObjectiveMapping(
        theme_id=themes["asili nido"].id,
        objective_id=objectives["isee"].id,
        confidence=1.0,
        source="planner",
    )
    themes["bagni mercato"].is_off_strategy = True
    db.add_all([low, confirmed, themes["bagni mercato"]])
    db.commit()
    page = client.get("/pianificazione/temi").get_data(as_text=True)
    assert page.index("Regolamento ISEE") < page.index("Politiche per l&#39;abitare")
    assert "asili nido" in _section_of(page, "Regolamento ISEE")
    assert "affitti casa" in _section_of(page, "Politiche per l&#39;abitare")
    assert "bagni mercato" in _section_of(page, "Bisogni emergenti (fuori strategia)")
    assert "affitti casa" not in _section_of(page, "Regolamento ISEE")


def test_an_objective_without_themes_is_shown_as_a_gap(
    client, db, auth, create_user, objectives, create_contribution, create_theme_run
):
    auth.login(create_user("planner").email)
    create_theme_run({"asili nido": [create_contribution("Più asili nido in valle.")] * 1})
    page = client.get("/pianificazione/temi").get_data(as_text=True)
    abitare = _section_of(page, "Politiche per l&#39;abitare")
    assert "Nessun tema" in abitare and "0 temi" in abitare


def test_a_theme_failing_the_coherence_test_is_flagged_for_the_planner(
    client, db, auth, create_user, create_contribution, create_theme_run
):
    auth.login(create_user("planner").email)
    run = create_theme_run(
        {
            "asili nido": [create_contribution(f"Più asili nido, zona {i}.") for i in range(2)],
            "misto": [create_contribution(f"Buche, nidi e affitti {i}.") for i in range(2)],
        }
    )
    themes = {t.label: t for t in db.exec(select(Theme).where(Theme.run_id == run.id)).all()}
    run.params = {
        **(run.params or {}),
        "theme_quality": {
            str(themes["asili nido"].model_topic): {"coherence": 0.3, "flagged": False},
            str(themes["misto"].model_topic): {"coherence": 0.01, "flagged": True},
        },
    }
    db.add(run)
    db.commit()
    page = client.get("/pianificazione/temi").get_data(as_text=True)
    cards = {label: page.split(label, 1)[1].split("</header>")[0] for label in themes}
    assert "tema poco coerente" in cards["misto"]
    assert "tema poco coerente" not in cards["asili nido"]
