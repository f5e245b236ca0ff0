"""Co-planning through the web: draft, publish, amend from a phone, comment for a meeting, decide,
publish version 2 and read what changed and why; every error keeps what was typed."""

import re

import pytest
from markupsafe import escape
from sqlmodel import select

from consult.coplanning.models import Amendment, MeetingComment, StrategySection, StrategyVersion
from tests.web.route_world import log_in

BODY = "Il servizio è aperto la sera, nei giorni feriali."
AMENDED = "Il servizio è aperto la sera e la domenica, nei giorni feriali e festivi."
EDITED = "Il servizio è aperto la sera e la domenica mattina."


def _shows(body: str, message: str) -> bool:
    """The message is on the page (apostrophes may come escaped)."""
    return message in body or str(escape(message)) in body


def _client(app, user=None):
    client = app.test_client()
    if user is not None:
        log_in(client, user)
    return client


def _section(db, number: int, key: str = "isee") -> StrategySection:
    version = db.exec(select(StrategyVersion).where(StrategyVersion.number == number)).one()
    return db.exec(
        select(StrategySection).where(
            StrategySection.version_id == version.id, StrategySection.key == key
        )
    ).one()


@pytest.fixture
def staff(app, meeting_staff):
    return {role: _client(app, user) for role, user in meeting_staff.items() if role != "meeting"}


@pytest.fixture
def published(db, staff):
    """Version 1 drafted from the framework, its ISEE section written, then published."""
    planner = staff["planner"]
    assert planner.post("/pianificazione/strategia/bozza").status_code == 303
    section = _section(db, 1)
    response = planner.post(
        f"/pianificazione/strategia/sezioni/{section.id}",
        data={"title": section.title, "body": BODY, "proposals": ""},
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    version = db.exec(select(StrategyVersion)).one()
    response = planner.post(f"/pianificazione/strategia/versioni/{version.id}/pubblica", data={})
    assert response.status_code == 303 and response.headers["Location"].endswith("/versione-1")
    db.expire_all()
    return _section(db, 1)


def test_the_public_version_shows_the_sections_and_invites_amendments(client, published):
    page = client.get("/strategia/versione-1").get_data(as_text=True)
    assert "Il servizio è aperto la sera" in page
    assert f"/strategia/sezioni/{published.id}/emendamento" in page
    assert "Versione 1" in client.get("/strategia/").get_data(as_text=True)


def test_a_draft_is_not_public(client, db, staff, published):
    staff["planner"].post("/pianificazione/strategia/bozza")
    draft = _section(db, 2)
    assert client.get("/strategia/versione-2").status_code == 404
    assert client.get(f"/strategia/sezioni/{draft.id}/emendamento").status_code == 404


def test_a_published_version_refuses_edits_at_the_route(db, staff, published):
    planner = staff["planner"]
    url = f"/pianificazione/strategia/sezioni/{published.id}"
    for response in (planner.get(url), planner.post(url, data={"title": "Altro", "body": "x"})):
        assert response.status_code == 409
        assert "non si può più modificare" in response.get_data(as_text=True)
    version = db.get(StrategyVersion, published.version_id)
    again = planner.post(f"/pianificazione/strategia/versioni/{version.id}/pubblica")
    assert again.status_code == 409
    db.expire_all()
    assert db.get(StrategySection, published.id).body == BODY


def test_an_anonymous_amendment_from_a_phone_gets_a_private_tracking_page(client, db, published):
    url = f"/strategia/sezioni/{published.id}/emendamento"
    form = client.get(url).get_data(as_text=True)
    assert BODY in form  # the current text, ready to rewrite
    response = client.post(
        url, data={"text": AMENDED, "name": "Anna", "email": "anna@example.org", "consent": "y"}
    )
    assert response.status_code == 303
    amendment = db.exec(select(Amendment)).one()
    assert (amendment.author_name, amendment.author_email) == ("Anna", "anna@example.org")
    page = client.get(response.headers["Location"])
    assert page.headers["Cache-Control"] == "private, no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert "In valutazione" in page.get_data(as_text=True)


def test_a_bad_amendment_keeps_what_was_typed_with_an_italian_message(client, db, published):
    url = f"/strategia/sezioni/{published.id}/emendamento"
    response = client.post(url, data={"text": "Breve", "name": "Anna Rossi", "email": "anna@"})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "La proposta è troppo corta" in body
    assert _shows(body, "Controlla l'e-mail")
    assert _shows(body, "Per inviare la proposta devi accettare l'informativa.")
    assert "Breve</textarea>" in body and 'value="Anna Rossi"' in body
    assert db.exec(select(Amendment)).all() == []


def test_a_signed_in_participant_amends_under_their_account(db, staff, meeting_staff, published):
    response = staff["participant"].post(
        f"/strategia/sezioni/{published.id}/emendamento",
        data={"text": AMENDED, "name": "Ignorato", "consent": "y"},
    )
    assert response.status_code == 303
    amendment = db.exec(select(Amendment)).one()
    assert amendment.author_id == meeting_staff["participant"].id and amendment.author_name == ""


def test_an_approved_version_is_closed_to_amendments(client, db, staff, published):
    planner = staff["planner"]
    planner.post("/pianificazione/strategia/bozza")
    draft = db.exec(select(StrategyVersion).where(StrategyVersion.number == 2)).one()
    planner.post(f"/pianificazione/strategia/versioni/{draft.id}/pubblica", data={"approve": "y"})
    section = _section(db, 2)
    response = client.post(
        f"/strategia/sezioni/{section.id}/emendamento", data={"text": AMENDED, "consent": "y"}
    )
    assert response.status_code == 409
    assert "non è più in consultazione" in response.get_data(as_text=True)
    old = client.get(f"/strategia/sezioni/{published.id}/emendamento")
    assert old.status_code == 409  # version 1 is superseded
    assert db.exec(select(Amendment)).all() == []


def test_a_facilitator_records_a_comment_for_their_own_meeting(db, staff, meeting_staff, published):
    meeting = meeting_staff["meeting"]
    url = f"/facilitatore/incontri/{meeting.id}/strategia"
    assert published.title in staff["facilitator"].get(url).get_data(as_text=True)
    empty = staff["facilitator"].post(url, data={"section": "", "text": "Aprire la domenica."})
    assert empty.status_code == 422
    body = empty.get_data(as_text=True)
    assert _shows(body, "Scegli la sezione di cui ha parlato l'incontro.")
    assert "Aprire la domenica." in body
    foreign = staff["facilitator"].post(url, data={"section": "999999", "text": "x" * 20})
    assert _shows(foreign.get_data(as_text=True), "Scegli una sezione dell'elenco.")
    assert staff["other_facilitator"].post(url, data={"section": published.id}).status_code == 403
    ok = staff["facilitator"].post(
        url, data={"section": published.id, "text": "L'incontro chiede di aprire la domenica."}
    )
    assert ok.status_code == 303
    comment = db.exec(select(MeetingComment)).one()
    assert (comment.meeting_id, comment.section_id) == (meeting.id, published.id)


def test_without_a_version_in_consultation_the_meeting_page_says_so(staff, meeting_staff):
    url = f"/facilitatore/incontri/{meeting_staff['meeting'].id}/strategia"
    page = staff["facilitator"].get(url).get_data(as_text=True)
    assert _shows(page, "Non c'è una versione della strategia in consultazione")


def test_declining_without_a_reason_is_refused_and_keeps_the_text(client, db, staff, published):
    client.post(
        f"/strategia/sezioni/{published.id}/emendamento", data={"text": AMENDED, "consent": "y"}
    )
    amendment = db.exec(select(Amendment)).one()
    version = db.get(StrategyVersion, published.version_id)
    prefix = f"a{amendment.id}"
    response = staff["planner"].post(
        f"/pianificazione/strategia/emendamenti/{amendment.id}/decisione",
        data={f"{prefix}-outcome": "non-accolto", f"{prefix}-text": "Testo scritto a mano"},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert _shows(body, "Spiega perché l'emendamento non è accolto.")
    assert "Testo scritto a mano" in body
    missing = staff["planner"].post(
        f"/pianificazione/strategia/emendamenti/{amendment.id}/decisione",
        data={f"{prefix}-outcome": "accolto-con-modifiche", f"{prefix}-text": ""},
    )
    assert "Scrivi il testo con le tue modifiche." in missing.get_data(as_text=True)
    db.expire_all()
    assert db.get(Amendment, amendment.id).status == "in-valutazione"
    review = staff["planner"].get(f"/pianificazione/strategia/versioni/{version.id}/revisione")
    assert AMENDED in review.get_data(as_text=True)


def test_accepting_with_changes_then_publishing_version_2_shows_what_changed_and_why(
    client, db, staff, meeting_staff, published, create_contribution
):
    phone = client
    phone.post(
        f"/strategia/sezioni/{published.id}/emendamento", data={"text": AMENDED, "consent": "y"}
    )
    amendment = db.exec(select(Amendment)).one()
    meeting = meeting_staff["meeting"]
    staff["facilitator"].post(
        f"/facilitatore/incontri/{meeting.id}/strategia",
        data={"section": published.id, "text": "L'incontro chiede di aprire la domenica."},
    )
    comment = db.exec(select(MeetingComment)).one()
    proposal = create_contribution()
    planner = staff["planner"]
    prefix = f"a{amendment.id}"
    decided = planner.post(
        f"/pianificazione/strategia/emendamenti/{amendment.id}/decisione",
        data={f"{prefix}-outcome": "accolto-con-modifiche", f"{prefix}-text": EDITED},
    )
    assert decided.status_code == 303
    again = planner.post(
        f"/pianificazione/strategia/emendamenti/{amendment.id}/decisione",
        data={f"{prefix}-outcome": "non-accolto", f"{prefix}-reason": "No"},
    )
    assert again.status_code == 409
    draft_section = _section(db, 2)
    assert draft_section.body == EDITED
    bad = planner.post(
        f"/pianificazione/strategia/sezioni/{draft_section.id}",
        data={"title": draft_section.title, "body": EDITED + " Nuovo.", "proposals": "12, abc"},
    )
    assert bad.status_code == 422
    assert "Scrivi i numeri delle proposte separati da virgole" in bad.get_data(as_text=True)
    assert EDITED + " Nuovo." in bad.get_data(as_text=True)
    unknown = planner.post(
        f"/pianificazione/strategia/sezioni/{draft_section.id}",
        data={"title": draft_section.title, "body": EDITED, "proposals": "999999"},
    )
    assert "Non esiste una proposta con questo numero: 999999." in unknown.get_data(as_text=True)
    saved = planner.post(
        f"/pianificazione/strategia/sezioni/{draft_section.id}",
        data={
            "title": draft_section.title,
            "body": EDITED,
            "amendments": str(amendment.id),
            "comments": str(comment.id),
            "proposals": f"n. {proposal.id}",
        },
    )
    assert saved.status_code == 303
    draft = db.get(StrategyVersion, draft_section.version_id)
    response = planner.post(
        f"/pianificazione/strategia/versioni/{draft.id}/pubblica",
        data={"note": "Aperture anche la domenica."},
    )
    assert response.status_code == 303

    page = client.get("/strategia/versione-2/modifiche").get_data(as_text=True)
    assert re.search(r'<del class="diff-removed[^>]*>[^<]*feriali\.', page)
    assert re.search(r'<ins class="diff-added[^>]*>[^<]*domenica', page)
    assert f"/strategia/versione-1#emendamento-{amendment.id}" in page
    assert f"/strategia/versione-1#commento-incontro-{comment.id}" in page
    assert f"/proposte/{proposal.id}" in page
    assert "Accolto con modifiche" in page
    version_1 = client.get("/strategia/versione-1").get_data(as_text=True)
    assert f'id="emendamento-{amendment.id}"' in version_1
    assert f'id="commento-incontro-{comment.id}"' in version_1
    tracking = client.get(f"/strategia/emendamenti/{amendment.tracking_token}")
    assert "/strategia/versione-2/modifiche" in tracking.get_data(as_text=True)


def test_unknown_objects_are_404(client, staff):
    assert client.get("/strategia/versione-7").status_code == 404
    assert client.get("/strategia/versione-7/modifiche").status_code == 404
    assert client.get("/strategia/emendamenti/nessuno").status_code == 404
    assert client.get("/strategia/sezioni/999999/emendamento").status_code == 404
    planner = staff["planner"]
    assert planner.get("/pianificazione/strategia/versioni/999999").status_code == 404
    assert planner.post("/pianificazione/strategia/emendamenti/999999/decisione").status_code == 404


HOOK = "{% with contribution_id = cid %}{% include 'coplanning/_tracking_link.html' %}{% endwith %}"


def test_the_tracking_include_links_a_cited_proposal_to_the_version_that_took_it_up(
    app, db, staff, published, create_contribution
):
    cited, other = create_contribution(), create_contribution()
    planner = staff["planner"]
    planner.post("/pianificazione/strategia/bozza")
    section = _section(db, 2)
    planner.post(
        f"/pianificazione/strategia/sezioni/{section.id}",
        data={"title": section.title, "body": EDITED, "proposals": str(cited.id)},
    )
    with app.test_request_context():
        template = app.jinja_env.from_string(HOOK)
        assert "versione-2" not in template.render(cid=cited.id)  # a draft cites nothing yet
    planner.post(f"/pianificazione/strategia/versioni/{section.version_id}/pubblica")
    with app.test_request_context():
        template = app.jinja_env.from_string(HOOK)
        assert "/strategia/versione-2/modifiche" in template.render(cid=cited.id)
        assert template.render(cid=other.id).strip() == ""


def test_the_open_data_api_lists_public_versions_without_private_data(client, db, published):
    client.post(
        f"/strategia/sezioni/{published.id}/emendamento",
        data={"text": AMENDED, "name": "Anna", "email": "anna@example.org", "consent": "y"},
    )
    listing = client.get("/api/v1/strategy/versions").get_json()
    assert [v["number"] for v in listing["versions"]] == [1]
    version = client.get("/api/v1/strategy/versions/1").get_json()["version"]
    section = next(s for s in version["sections"] if s["key"] == "isee")
    assert section["markdown"] == BODY and section["amendments"] == []  # pending: not public
    text = client.get("/api/v1/strategy/versions/1").get_data(as_text=True)
    token = db.exec(select(Amendment)).one().tracking_token
    assert "Anna" not in text and "anna@example.org" not in text and token not in text
    assert client.get("/api/v1/strategy/versions/2").status_code == 404


def test_the_section_form_suggests_the_proposals_about_its_objective(
    db, staff, published, objectives, create_contribution
):
    about = create_contribution(
        "Ridurre le soglie ISEE per i servizi domiciliari.",
        suggested_objective_id=objectives["isee"].id,
    )
    elsewhere = create_contribution(
        "Più alloggi sociali in città.", suggested_objective_id=objectives["abitare"].id
    )
    staff["planner"].post("/pianificazione/strategia/bozza")
    page = staff["planner"].get(f"/pianificazione/strategia/sezioni/{_section(db, 2).id}")
    body = page.get_data(as_text=True)
    assert f"/proposte/{about.id}" in body and f"/proposte/{elsewhere.id}" not in body
    premise = staff["planner"].get(
        f"/pianificazione/strategia/sezioni/{_section(db, 2, 'premessa').id}"
    )
    assert "Proposte su questo obiettivo" not in premise.get_data(as_text=True)


@pytest.mark.rate_limited
def test_amendments_are_rate_limited_like_proposals(client, db, published):
    url = f"/strategia/sezioni/{published.id}/emendamento"
    answers = [client.post(url, data={"text": "Breve"}).status_code for _ in range(11)]
    assert answers[:10] == [422] * 10 and answers[10] == 429
    assert db.exec(select(Amendment)).all() == []


def test_every_step_is_audited(db, staff, meeting_staff, published):
    from consult.common.models import AuditLog

    meeting = meeting_staff["meeting"]
    staff["facilitator"].post(
        f"/facilitatore/incontri/{meeting.id}/strategia",
        data={"section": published.id, "text": "L'incontro chiede di aprire la domenica."},
    )
    entries = db.exec(select(AuditLog).order_by(AuditLog.id)).all()
    actions = [e.action for e in entries]
    assert actions == [
        "strategy.draft",
        "strategy.section.update",
        "strategy.publish",
        "strategy.meeting_comment.record",
    ]
    assert entries[0].actor_id == entries[2].actor_id == meeting_staff["planner"].id
    assert entries[1].before["body"] == "Descrizione di Regolamento ISEE"
    assert entries[1].after["body"] == BODY
    assert entries[3].actor_id == meeting_staff["facilitator"].id


def test_a_double_tap_stores_one_amendment_and_a_reused_form_keeps_the_new_text(
    client, db, published
):
    url = f"/strategia/sezioni/{published.id}/emendamento"
    data = {"text": AMENDED, "consent": "y", "idempotency_key": "k" * 32}
    first, again = client.post(url, data=data), client.post(url, data=data)
    assert first.headers["Location"] == again.headers["Location"]
    assert len(db.exec(select(Amendment)).all()) == 1
    reused = client.post(url, data={**data, "text": EDITED})
    assert reused.headers["Location"] != first.headers["Location"]
    assert sorted(a.text for a in db.exec(select(Amendment))) == sorted([AMENDED, EDITED])
    form = client.get(url).get_data(as_text=True)
    assert re.search(r'name="idempotency_key" type="hidden" value="[\w-]{16,}"', form)


def test_the_strategy_pages_speak_english_when_asked(client, published):
    client.post("/lingua", data={"lang": "en"})
    page = client.get("/strategia/versione-1").get_data(as_text=True)
    assert "Propose an amendment" in page and "Strategy, version 1" in page
    error = client.post(f"/strategia/sezioni/{published.id}/emendamento", data={"text": AMENDED})
    assert "Send the amendment" in error.get_data(as_text=True)


def test_amendments_left_pending_can_still_be_declined_after_the_next_version(
    client, db, staff, published
):
    client.post(
        f"/strategia/sezioni/{published.id}/emendamento", data={"text": AMENDED, "consent": "y"}
    )
    amendment = db.exec(select(Amendment)).one()
    planner = staff["planner"]
    planner.post("/pianificazione/strategia/bozza")
    draft = db.exec(select(StrategyVersion).where(StrategyVersion.number == 2)).one()
    planner.post(f"/pianificazione/strategia/versioni/{draft.id}/pubblica")
    review = planner.get(f"/pianificazione/strategia/versioni/{published.version_id}/revisione")
    assert "Registra la decisione" in review.get_data(as_text=True)
    prefix = f"a{amendment.id}"
    response = planner.post(
        f"/pianificazione/strategia/emendamenti/{amendment.id}/decisione",
        data={f"{prefix}-outcome": "non-accolto", f"{prefix}-reason": "Superato dalla versione 2."},
    )
    assert response.status_code == 303
    db.expire_all()
    assert db.get(Amendment, amendment.id).status == "non-accolto"


def test_a_tampered_input_choice_is_refused_in_italian(db, staff, published):
    staff["planner"].post("/pianificazione/strategia/bozza")
    section = _section(db, 2)
    response = staff["planner"].post(
        f"/pianificazione/strategia/sezioni/{section.id}",
        data={"title": section.title, "body": "Testo nuovo", "amendments": "999999"},
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Testo nuovo" in body and "Not a valid" not in body
    assert _shows(body, "Scegli solo tra le voci dell'elenco.")


def test_tampered_choices_get_italian_messages(client, db, staff, meeting_staff, published):
    meeting = meeting_staff["meeting"]
    response = staff["facilitator"].post(
        f"/facilitatore/incontri/{meeting.id}/strategia",
        data={"section": "abc", "text": "L'incontro chiede di aprire la domenica."},
    )
    assert response.status_code == 422
    assert _shows(
        response.get_data(as_text=True), "Scegli la sezione di cui ha parlato l'incontro."
    )
    client.post(
        f"/strategia/sezioni/{published.id}/emendamento", data={"text": AMENDED, "consent": "y"}
    )
    amendment = db.exec(select(Amendment)).one()
    decided = staff["planner"].post(
        f"/pianificazione/strategia/emendamenti/{amendment.id}/decisione",
        data={f"a{amendment.id}-outcome": "boh"},
    )
    assert decided.status_code == 422
    body = decided.get_data(as_text=True)
    assert "Scegli una decisione." in body and "Not a valid" not in body
