"""What planners do on the analysis, themes and mapping pages."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from consult.analysis import theme_decisions
from consult.analysis.models import AnalysisRun, ObjectiveMapping, Theme
from consult.common.models import AuditLog, utcnow
from consult.framework.models import Objective


@pytest.fixture
def planner(auth, create_user):
    user = create_user("planner", display_name="Paola Pianifica")
    auth.login(user.email)
    return user


@pytest.fixture
def nidi(db, create_contribution, create_theme_run):
    """A current run with two themes: nidi (3 proposals) and casa (2)."""
    nidi = [
        create_contribution(f"Servono più posti negli asili nido, quartiere {i}.") for i in range(3)
    ]
    casa = [create_contribution(f"Gli affitti sono troppo alti in zona {i}.") for i in range(2)]
    run = create_theme_run({"asili nido": nidi, "affitti casa": casa})
    themes = db.exec(select(Theme).where(Theme.run_id == run.id).order_by(Theme.id)).all()
    return {"run": run, "nidi": themes[0], "casa": themes[1], "proposals": nidi + casa}


def test_starting_an_analysis_runs_it_and_shows_it_in_the_history(
    client, db, planner, theme_corpus
):
    response = client.post("/pianificazione/analisi")
    assert response.status_code == 303
    run = db.exec(select(AnalysisRun)).one()
    assert (run.status, run.started_by_id, run.is_current) == ("succeeded", planner.id, True)
    page = client.get("/pianificazione/analisi").get_data(as_text=True)
    assert "Storico delle analisi" in page and "Paola Pianifica" in page
    assert run.corpus_hash[:16] in page and "Individuazione dei temi" in page
    themes = client.get("/pianificazione/temi").get_data(as_text=True)
    for theme in db.exec(select(Theme)):
        assert theme.display_label in themes


def test_a_second_start_is_refused_with_a_clear_message(client, db, planner, consultation):
    db.add(AnalysisRun(consultation_id=consultation.id, status="running", heartbeat_at=utcnow()))
    db.commit()
    response = client.post("/pianificazione/analisi")
    assert response.status_code == 409
    assert "è già in corso" in response.get_data(as_text=True)
    assert len(db.exec(select(AnalysisRun)).all()) == 1


def test_the_status_fragment_polls_while_running_and_stops_when_done(
    client, db, planner, consultation
):
    run = AnalysisRun(
        consultation_id=consultation.id,
        status="running",
        stage="fitting",
        progress=40,
        heartbeat_at=utcnow(),
    )
    db.add(run)
    db.commit()
    url = f"/pianificazione/analisi/{run.id}/stato"
    running = client.get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'hx-trigger="every 1s"' in running and "Individuazione dei temi" in running
    assert 'value="40"' in running
    run.status, run.corpus_size = "succeeded", 24
    db.add(run)
    db.commit()
    done = client.get(url, headers={"HX-Request": "true"})
    assert "hx-trigger" not in done.get_data(as_text=True)
    assert done.headers["HX-Trigger"] == "analysis-finished"


def test_the_status_shows_how_many_vectors_are_in(client, db, planner, consultation):
    run = AnalysisRun(
        consultation_id=consultation.id,
        status="running",
        stage="embedding",
        progress=6,
        heartbeat_at=utcnow(),
        params={"vectors": {"done": 12000, "total": 100000}},
    )
    db.add(run)
    db.commit()
    body = client.get(f"/pianificazione/analisi/{run.id}/stato").get_data(as_text=True)
    assert "Calcolo dei vettori: 12.000 di 100.000" in body


def test_a_run_whose_worker_went_silent_is_shown_failed(client, db, planner, consultation):
    run = AnalysisRun(
        consultation_id=consultation.id,
        status="running",
        stage="fitting",
        heartbeat_at=utcnow() - timedelta(hours=1),
    )
    db.add(run)
    db.commit()
    body = client.get(f"/pianificazione/analisi/{run.id}/stato").get_data(as_text=True)
    assert "i temi precedenti restano in uso" in body and "hx-trigger" not in body
    db.refresh(run)
    assert run.status == "failed"


def test_themes_page_shows_summary_citations_trend_and_breakdowns(client, planner, nidi):
    page = client.get("/pianificazione/temi").get_data(as_text=True)
    assert "asili nido" in page and "affitti casa" in page
    assert f"[#{nidi['proposals'][0].id}]" in page or f"[#{nidi['proposals'][1].id}]" in page
    assert "<svg" in page
    detail = client.get(f"/pianificazione/temi/{nidi['nidi'].stable_key}").get_data(as_text=True)
    assert "Territorio" in detail and "Canale" in detail and "<meter" in detail
    drill = client.get(f"/pianificazione/temi/{nidi['nidi'].stable_key}/proposte")
    body = drill.get_data(as_text=True)
    assert all(f'id="proposta-{c.id}"' in body for c in nidi["proposals"][:3])
    assert f'id="proposta-{nidi["proposals"][3].id}"' not in body


def test_rename_is_stored_audited_and_validated(client, db, planner, nidi):
    key = nidi["nidi"].stable_key
    empty = client.post(f"/pianificazione/temi/{key}/nome", data={"rename-label": "  "})
    assert empty.status_code == 422 and "Scrivi il nome del tema." in empty.get_data(as_text=True)
    assert db.exec(select(AuditLog)).all() == []
    response = client.post(f"/pianificazione/temi/{key}/nome", data={"rename-label": "Nidi"})
    assert response.status_code == 303
    db.expire_all()
    assert db.get(Theme, nidi["nidi"].id).display_label == "Nidi"
    entry = db.exec(select(AuditLog)).one()
    assert (entry.action, entry.actor_id, entry.entity_id) == ("theme.rename", planner.id, key)
    assert (entry.before["label"], entry.after["label"]) == ("asili nido", "Nidi")


def test_a_large_theme_offers_its_proposals_to_split_a_page_at_a_time(
    client, db, planner, create_contribution, create_theme_run, monkeypatch
):
    """A theme of a large consultation has thousands of proposals: the page lists one page of
    them to move (not all as checkboxes), and a split from page 2 moves what was chosen there."""
    from consult.analysis import theme_views

    monkeypatch.setattr(theme_views, "SPLIT_PAGE_SIZE", 4)
    many = [create_contribution(f"Servono più asili nido, zona {i}.") for i in range(10)]
    run = create_theme_run({"asili nido": many})
    theme = db.exec(select(Theme).where(Theme.run_id == run.id)).one()
    members = theme_decisions.member_ids(db, theme)
    first = client.get(f"/pianificazione/temi/{theme.stable_key}").get_data(as_text=True)
    assert first.count('name="split-members"') == 4
    assert "Pagina 1 di 3" in first and f"temi/{theme.stable_key}?pagina=2#dividi" in first
    assert "10 proposte" in first  # the theme's figures still count all ten
    second = client.get(f"/pianificazione/temi/{theme.stable_key}?pagina=2")
    html = second.get_data(as_text=True)
    assert [int(v) for v in re.findall(r'name="split-members"[^>]*value="(\d+)"', html)] == (
        members[4:8]
    )
    assert "/dividi?pagina=2" in html
    # a choice from page 2 sent with page 1's form is refused, and nothing moves
    wrong = client.post(
        f"/pianificazione/temi/{theme.stable_key}/dividi?pagina=1",
        data={"split-label": "Nidi di zona", "split-members": members[5:6]},
    )
    assert wrong.status_code == 422
    assert db.exec(select(Theme).where(Theme.label == "Nidi di zona")).first() is None
    moved = client.post(
        f"/pianificazione/temi/{theme.stable_key}/dividi?pagina=2",
        data={"split-label": "Nidi di zona", "split-members": members[5:7]},
    )
    assert moved.status_code == 303
    new = db.exec(select(Theme).where(Theme.label == "Nidi di zona")).one()
    assert theme_decisions.member_ids(db, new) == members[5:7]


def test_status_merge_and_split_from_the_page(client, db, planner, nidi):
    nidi_key, casa_key = nidi["nidi"].stable_key, nidi["casa"].stable_key
    assert (
        client.post(
            f"/pianificazione/temi/{casa_key}/stato", data={"status-status": "accepted"}
        ).status_code
        == 303
    )
    members = theme_decisions.member_ids(db, nidi["nidi"])
    everything = client.post(
        f"/pianificazione/temi/{nidi_key}/dividi",
        data={"split-label": "Tutto", "split-members": members},
    )
    assert everything.status_code == 422
    assert "non può restare vuoto" in everything.get_data(as_text=True)
    split = client.post(
        f"/pianificazione/temi/{nidi_key}/dividi",
        data={"split-label": "Nidi di quartiere", "split-members": members[:1]},
    )
    assert split.status_code == 303
    new = db.exec(select(Theme).where(Theme.label == "Nidi di quartiere")).one()
    assert theme_decisions.member_ids(db, new) == members[:1]
    merge = client.post(f"/pianificazione/temi/{nidi_key}/unisci", data={"merge-target": casa_key})
    assert merge.status_code == 303 and merge.headers["Location"].endswith(casa_key)
    db.expire_all()
    casa = db.get(Theme, nidi["casa"].id)
    assert (db.get(Theme, nidi["nidi"].id).status, casa.status, casa.size) == (
        "merged",
        "accepted",
        4,
    )
    refused = client.post(
        f"/pianificazione/temi/{nidi_key}/stato", data={"status-status": "accepted"}
    )
    assert refused.status_code == 422
    page = client.get("/pianificazione/temi").get_data(as_text=True)
    assert ">asili nido</a>" not in page and ">Nidi di quartiere</a>" in page
    assert ">affitti casa</a>" in page


def test_mapping_review_confirms_and_shows_emerging_needs(client, db, planner, nidi):
    objective = db.exec(select(Objective).where(Objective.code == "abitare")).one()
    db.add(
        ObjectiveMapping(
            theme_id=nidi["casa"].id,
            objective_id=objective.id,
            confidence=0.2,
            run_id=nidi["run"].id,
        )
    )
    db.commit()
    page = client.get("/pianificazione/mappatura").get_data(as_text=True)
    assert "Da rivedere per primi" in page and "affidabilità 20%" in page
    url = f"/pianificazione/mappatura/tema/{nidi['nidi'].stable_key}"
    assert client.post(url, data={"objective": "nessuno"}).status_code == 422
    assert client.post(url, data={"objective": "fuori-strategia"}).status_code == 303
    ok = client.post(
        f"/pianificazione/mappatura/tema/{nidi['casa'].stable_key}",
        data={"objective": str(objective.id)},
    )
    assert ok.status_code == 303
    rows = db.exec(select(ObjectiveMapping).where(ObjectiveMapping.source == "planner")).all()
    assert {(r.theme_id, r.objective_id) for r in rows} == {
        (nidi["nidi"].id, None),
        (nidi["casa"].id, objective.id),
    }
    page = client.get("/pianificazione/mappatura").get_data(as_text=True)
    emerging = page.split("Bisogni emergenti")[1].split('id="themes-title"')[0]
    assert "asili nido" in emerging and "affitti casa" not in emerging
    assert "Niente da rivedere" in page


@pytest.mark.usefixtures("planner")
def test_starting_needs_the_csrf_token(csrf_app, client, db, consultation):
    assert client.post("/pianificazione/analisi").status_code == 400
    assert db.exec(select(AnalysisRun)).all() == []


def test_too_few_proposals_are_refused_with_a_clear_message(client, db, planner, consultation):
    response = client.post("/pianificazione/analisi")
    assert response.status_code == 422
    assert "Servono almeno 3 proposte pubblicate" in response.get_data(as_text=True)
    assert db.exec(select(AnalysisRun)).all() == []


def test_a_theme_listed_twice_keeps_unique_ids_and_labels(client, db, planner, nidi):
    """A theme in the review queue is also in the themes list: each select has its own label."""
    db.add(ObjectiveMapping(theme_id=nidi["casa"].id, confidence=0.2, run_id=nidi["run"].id))
    db.commit()
    page = client.get("/pianificazione/mappatura").get_data(as_text=True)
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids))
    queue_id = f"objective-queue-theme-{nidi['casa'].id}"
    assert f'for="{queue_id}"' in page and f'for="objective-themes-theme-{nidi["casa"].id}"' in page


def test_the_history_refreshes_itself_when_the_status_says_the_run_finished(
    client, db, planner, theme_corpus
):
    client.post("/pianificazione/analisi")
    run = db.exec(select(AnalysisRun)).one()
    page = client.get("/pianificazione/analisi").get_data(as_text=True)
    history = re.search(r'<div id="run-history"[^>]*>', page).group(0)
    assert 'hx-trigger="analysis-finished from:body"' in history
    assert 'hx-select="#run-history"' in history
    done = client.get(f"/pianificazione/analisi/{run.id}/stato", headers={"HX-Request": "true"})
    assert done.headers["HX-Trigger"] == "analysis-finished"


def test_run_durations_are_numbers_of_the_page_language(client, db, planner, consultation):
    started = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    run = AnalysisRun(
        consultation_id=consultation.id,
        status="succeeded",
        started_at=started,
        finished_at=started + timedelta(seconds=168.6),
        timings={"stages": {"embedding": 12.25}},
    )
    db.add(run)
    db.commit()
    page = client.get("/pianificazione/analisi").get_data(as_text=True)
    assert "168,6 s" in page and "168.6 s" not in page and "12,2 s" in page
    client.post("/lingua", data={"lang": "en"})
    assert "168.6 s" in client.get("/pianificazione/analisi").get_data(as_text=True)


def test_the_mapping_pages_show_a_short_window_of_page_links(
    client, db, planner, nidi, create_contribution, monkeypatch
):
    from consult.analysis import mapping_views

    monkeypatch.setattr(mapping_views, "PROPOSALS_PAGE_SIZE", 2)
    for i in range(30):
        proposal = create_contribution(f"Proposta numero {i} sui trasporti locali.")
        db.add(
            ObjectiveMapping(
                contribution_id=proposal.id,
                objective_id=None,
                confidence=0.9,
                source="model",
                run_id=nidi["run"].id,
            )
        )
    db.commit()
    page = client.get("/pianificazione/mappatura?pagina=8").get_data(as_text=True)
    links = [int(p) for p in re.findall(r"mappatura\?pagina=(\d+)#proposals-title\"", page)]
    assert sorted(set(links)) == [1, 6, 7, 8, 9, 10, 15]  # previous 7 and next 9 among them
    assert page.count("…") == 2 and 'aria-current="page">8<' in page
    assert "Proposta numero 14" in page and "Proposta numero 16" not in page
    last = client.get("/pianificazione/mappatura?pagina=15").get_data(as_text=True)
    assert "Successiva" not in last and "Proposta numero 29" in last
