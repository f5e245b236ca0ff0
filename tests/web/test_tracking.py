"""The author's private tracking page: the journey, and nothing that leaks the token."""

import html
import re
from datetime import UTC, datetime

from sqlmodel import select

from consult.accountability.models import Response
from consult.analysis.models import ObjectiveMapping
from consult.framework.models import Objective


def test_unknown_token_is_404(client, consultation):
    assert client.get("/traccia/not-a-real-token").status_code == 404
    assert client.get("/traccia/" + "x" * 80).status_code == 404


def test_private_headers(client, create_contribution):
    contribution = create_contribution()
    for url in (
        f"/traccia/{contribution.tracking_token}",
        f"/traccia/{contribution.tracking_token}/ricevuta",
    ):
        response = client.get(url)
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
        assert "no-store" in response.headers["Cache-Control"]
        assert "public" not in response.headers["Cache-Control"]
    assert client.get("/proposte").headers["Referrer-Policy"] != "no-referrer"


def test_rejected_shows_the_reason_and_merged_links_the_target(client, create_contribution):
    rejected = create_contribution(status="rejected", rejection_reason="Contiene dati personali")
    page = client.get(f"/traccia/{rejected.tracking_token}").get_data(as_text=True)
    assert "Non pubblicata" in page and "Contiene dati personali" in page
    target = create_contribution(text="La proposta che le riunisce")
    merged = create_contribution(status="merged", merged_into_id=target.id)
    page = client.get(f"/traccia/{merged.tracking_token}").get_data(as_text=True)
    assert "Unita a una proposta simile" in page and f"/proposte/{target.id}" in page


def test_journey_shows_theme_objectives_and_published_responses(
    client, db, consultation, create_contribution, create_current_theme
):
    contribution = create_contribution()
    theme = create_current_theme(label="Centri diurni per anziani", members=[contribution])
    isee, abitare = (
        db.exec(select(Objective).where(Objective.code == code)).one()
        for code in ("isee", "abitare")
    )
    now = datetime.now(UTC)
    db.add(ObjectiveMapping(theme_id=theme.id, objective_id=isee.id, confidence=0.9))
    db.add(
        ObjectiveMapping(
            contribution_id=contribution.id,
            objective_id=abitare.id,
            confidence=0.4,
            source="planner",
            confirmed_at=now,
        )
    )
    db.add(
        Response(
            consultation_id=consultation.id,
            theme_stable_key=theme.stable_key,
            status="accolta",
            text="Apriremo due nuovi centri.",
            published_at=now,
        )
    )
    db.add(
        Response(
            consultation_id=consultation.id,
            objective_id=abitare.id,
            text="Bozza non ancora pubblicata.",
        )
    )
    db.add(
        Response(
            consultation_id=consultation.id,
            contribution_id=contribution.id,
            status="in-valutazione",
            text="Ne parliamo al tavolo.",
            published_at=now,
        )
    )
    db.commit()
    page = client.get(f"/traccia/{contribution.tracking_token}").get_data(as_text=True)
    assert "Centri diurni per anziani" in page
    # The objective it counts for by the one rule (the planner's confirmation), not every
    # objective a model ever suggested for its theme.
    assert "Politiche per l&#39;abitare" in page and "(confermato)" in page
    assert "Regolamento ISEE" not in page
    assert "Apriremo due nuovi centri." in page and "Accolta" in page
    assert "Risposta al tema «Centri diurni per anziani»" in page
    assert "Ne parliamo al tavolo." in page and "Risposta a questa proposta" in page
    assert "Bozza non ancora pubblicata." not in page


def test_tracking_page_lists_known_facts_without_dangling_separators(client, create_contribution):
    facts = re.compile(r'</blockquote>\s*<p class="small text-muted">\s*(.*?)\s*</p>', re.S)
    item = create_contribution(participant_role=None)
    page = client.get(f"/traccia/{item.tracking_token}").get_data(as_text=True)
    assert facts.search(page).group(1) == ""
    with_role = create_contribution(participant_role="sindacato")
    page = client.get(f"/traccia/{with_role.tracking_token}").get_data(as_text=True)
    assert facts.search(page).group(1) == "Sindacato"


def test_an_unpublished_proposal_is_not_told_its_theme_is_coming(client, create_contribution):
    rejected = create_contribution(status="rejected", rejection_reason="Fuori tema")
    page = html.unescape(client.get(f"/traccia/{rejected.tracking_token}").get_data(as_text=True))
    assert "Non ancora: i temi nascono" not in page and "Non ancora collegata" not in page
    assert "Una proposta non pubblicata non entra nell'analisi" in page
    target = create_contribution(text="La proposta che le riunisce")
    merged = create_contribution(status="merged", merged_into_id=target.id)
    page = client.get(f"/traccia/{merged.tracking_token}").get_data(as_text=True)
    assert "Conta insieme alla proposta in cui è confluita" in page
    assert "Non ancora: i temi nascono" not in page
