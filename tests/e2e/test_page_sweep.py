"""Every page a person can open, as the least privileged role that may, looked at like a person.

Every GET route of the authorization matrix that renders a page, at 390 px and 1366 px in
Italian and at 1366 px in English: a full-page screenshot in artifacts/e2e/pages/
(route-role-width-lang.png), axe-core with no serious or critical violation, no sideways
scroll, and no two visible text boxes drawn over one another. Pages with a form are checked
again with the form sent empty (its errors shown). One browser context per role, width and
language serves every page.
"""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import col, select

from consult import db
from consult.accountability.models import RESPONSE_STATES, Response
from consult.accounts import services as accounts
from consult.accounts.models import User
from consult.analysis.models import AnalysisRun
from consult.coplanning import versions
from consult.coplanning.models import AMENDMENT_STATES, VERSION_STATES, Amendment
from consult.framework.models import OBJECTIVE_KINDS, Consultation, Objective
from consult.live import polls, priorities
from consult.live.models import LivePoll, PriorityRound
from consult.meetings.models import LiveSession
from consult.notifications import services as notifications
from consult.notifications import tokens as notification_tokens
from consult.notifications.models import FREQUENCIES
from consult.proposals.models import CONTRIBUTION_STATES, PARTICIPANT_ROLES, Contribution
from tests.e2e.conftest import PHONE, SCREENSHOTS, _context
from tests.web.route_world import ROLES
from tests.web.test_authorization_matrix import MATRIX, expectation

PAGES_DIR = SCREENSHOTS / "pages"
OVERLAPS = "\n".join(  # a function expression for page.evaluate: drop the leading comment
    line
    for line in (Path(__file__).parent / "js" / "overlaps.js").read_text("utf-8").splitlines()
    if not line.startswith("//")
)
ACCOUNTS = {
    "anonymous": None,
    "participant": "partecipante@example.org",
    "other_facilitator": "facilitatore@example.org",
    "facilitator": "facilitatore@example.org",
    "planner": "pianificatore@example.org",
    "moderator": "moderatore@example.org",
    "admin": "admin@example.org",
}
# GET routes of the matrix that are no page to look at, and why.
NOT_PAGES = {
    "live.projector_events": "server-sent events",
    "moderation.queue_events": "server-sent events",
    "live_phone.feed_events": "server-sent events",
    "live_rounds.export_round": "file download",
    "live_rounds.export_poll": "file download",
    "live.qr_code": "image download",
    "meetings.minutes_file": "file download",
    "my_account.download_data": "JSON download",
    "imports.template": "file download",
    "exports.meeting_csv": "file download",
    "exports.meeting_xlsx": "file download",
    "reports.report_pdf": "PDF download",
    "reports.export": "file download",
    "analysis.status": "htmx fragment of the analysis page",
    "themes.proposals": "htmx fragment of the theme page",
    "similar.similar": "htmx fragment of the proposal form",
    "live.projector_content": "htmx fragment of the projector",
    "imports.mapping": "needs an upload kept by the import journey (test_journey)",
    "imports.rejected_rows": "file download",
}
# (route, role) of every page, the role being the least privileged that gets a 200
PAGES = []
for (method, endpoint), _entry in sorted(MATRIX.items()):
    expected, _renames = expectation(method, endpoint)
    if method != "GET" or endpoint in NOT_PAGES or endpoint.startswith("api"):
        continue
    allowed = [role for role, got in zip(ROLES, expected, strict=True) if got == 200]
    if allowed:  # routes answering 404 to everyone name records the demo does not have
        PAGES.append((endpoint, allowed[0]))
VARIANTS = [(390, "it"), (1366, "it"), (1366, "en")]
VARIANT_IDS = [f"{width}-{lang}" for width, lang in VARIANTS]

# Forms sent empty once (route: the form's CSS selector); each is refused with errors shown,
# so nothing in the shared demo changes. Prefilled text fields are emptied first.
FORMS = {
    "proposals.new": "main form[method=post]",
    "browse.detail": "main form:has(textarea[name=text])",
    "live.session_form": "main form[method=post]",
    "live.join": "main form[method=post]",
    "accounts.login": "main form[method=post]",
    "accounts.register": "main form[method=post]",
    "accounts.forgot_password": "main form[method=post]",
    "accounts.resend_verification": "main form[method=post]",
    "my_account.delete": "main form[method=post]",
    "meetings.create": "main form[method=post]",
    "meetings.edit": "main form[method=post]",
    "meetings.close": "main form[method=post]",
    "entry.fast_entry": "main form[method=post]",
    "imports.upload": "main form[method=post]",
    "moderation.merge": "main form[method=post]",
    "responses.create": "main form[method=post]",
    "responses.edit": "main form[method=post]",
    "strategy_meetings.comment": "main form[method=post]",
    "strategy.amend": "main form[method=post]",
    "coplanning.edit_section": "main form[method=post]",
}

# Defects the sweep found that are not fixed yet: (route, variant or "errors" suffix) -> reason.
KNOWN = {}


@pytest.fixture(scope="module")
def votes_and_follows(live_app) -> Iterator[dict]:
    """An open priorities round and poll in the demo's live session, and a follow with its
    mail links, so the phone's ballot and poll pages and the notification pages are swept
    too; the round and the poll are closed again afterwards, as the facilitator would."""
    with live_app.app_context(), db.standalone_session() as session:
        live = session.exec(select(LiveSession).where(LiveSession.code == "DEMA42")).one()
        actor = session.exec(select(User).where(User.email == ACCOUNTS["facilitator"])).one()
        round_ = priorities.open_round_of(session, live.id, None) or priorities.open_round(
            session, live, actor_id=actor.id, method="points"
        )
        poll = polls.open_poll_of(session, live.id, None) or polls.open_poll(
            session,
            live,
            actor_id=actor.id,
            kind="single",
            question="Da dove iniziamo?",
            options=["Casa", "Lavoro", "Servizi"],
        )
        objective = session.exec(select(Objective).order_by(col(Objective.id))).first()
        email = ACCOUNTS["participant"]
        follow = notifications.ask_to_follow(
            session,
            email=email,
            kind="objective",
            target_id=objective.id,
            frequency=FREQUENCIES[0],
            locale="it",
        )
        session.commit()
        secret = live_app.config["SECRET_KEY"]
        ids = {
            "open_round": round_.id,
            "open_poll": poll.id,
            "follow_kind": "objective",
            "target_id": objective.id,
            "confirm_token": notification_tokens.make(secret, "confirm", email, follow.id),
            "manage_token": notification_tokens.make(secret, "manage", email),
            "unsubscribe_token": notification_tokens.make(secret, "unsubscribe", email),
        }
        round_id, poll_id, actor_id = round_.id, poll.id, actor.id
    yield ids
    with live_app.app_context(), db.standalone_session() as session:
        for item, close in (
            (session.get(PriorityRound, round_id), priorities.close_round),
            (session.get(LivePoll, poll_id), polls.close_poll),
        ):
            if item is not None and item.status == "open":
                close(session, item, actor_id=actor_id)
        session.commit()


@pytest.fixture
def sweep_ids(live_app, demo_ids, votes_and_follows) -> dict:
    """URL parameters of each route, from the demo's records."""
    with live_app.app_context(), db.standalone_session() as session:
        pending = select(Contribution).where(
            Contribution.live_session_id == demo_ids["session"],
            Contribution.status == "pending",
        )
        live_item = session.exec(pending.order_by(col(Contribution.id))).first()
        response = session.exec(select(Response).order_by(col(Response.id))).first()
        run = session.exec(select(AnalysisRun).where(col(AnalysisRun.is_current))).first()
        user = session.exec(select(User).where(User.email == ACCOUNTS["participant"])).one()
        secret = live_app.config["SECRET_KEY"]
        reset = accounts.make_reset_token(secret, user)
        verify = accounts.make_verification_token(secret, user)
        strategy = _strategy_ids(session)
    return {
        **strategy,
        **votes_and_follows,
        "meeting_id": demo_ids["meeting"],
        "session_id": demo_ids["session"],
        "contribution_id": demo_ids["contribution"],
        "token": demo_ids["token"],
        "stable_key": demo_ids["theme"],
        "objective_code": demo_ids["objective"],
        "code": "DEMA42",
        "consultation_slug": "piemonte-2018",
        "live_item": live_item.id if live_item else None,
        "response_id": response.id if response else None,
        "run_id": run.id if run else None,
        "reset_token": reset,
        "verify_token": verify,
    }


def _strategy_ids(session) -> dict:
    """A version in consultation and a draft, so every co-planning page has something to show:
    the demo's strategy ends approved, so the sweep opens the next round (once; idempotent)."""
    consultation = session.exec(select(Consultation)).first()
    if versions.open_version(session, consultation.id) is None:
        opened = versions.start_draft(session, consultation, actor_id=None)
        versions.publish(session, opened, note="", approve=False, actor_id=None)
    in_consultation = versions.open_version(session, consultation.id)
    draft = versions.start_draft(session, consultation, actor_id=None)
    session.commit()
    amendment = session.exec(select(Amendment).order_by(col(Amendment.id))).first()
    return {
        "number": in_consultation.number,
        "published_id": in_consultation.id,
        "section_id": versions.sections(session, in_consultation.id)[0].id,
        "version_id": draft.id,
        "draft_section": versions.sections(session, draft.id)[0].id,
        "amendment_token": amendment.tracking_token if amendment else None,
    }


def page_url(app, endpoint: str, ids: dict) -> str:
    from flask import url_for

    _expected, renames = expectation("GET", endpoint)
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    values = {}
    for name in rule.arguments:
        key = renames.get(name, name)
        if endpoint == "tracking.track" or endpoint == "tracking.receipt":
            key = "token"
        if ids.get(key) is None:
            pytest.skip(f"the demo has no record for {name}")
        values[name] = ids[key]
    with app.test_request_context():
        return url_for(endpoint, **values)


@pytest.fixture(scope="module")
def contexts(browser, base_url, signed_in_state):
    """One browser context per (role's account, width, language), opened when first needed."""
    opened = {}

    def get(account, width, lang):
        key = (account, width, lang)
        if key not in opened:
            state = signed_in_state(account) if account else None
            if width == PHONE["width"]:
                options = {"viewport": PHONE, "is_mobile": True, "has_touch": True}
            else:
                options = {"viewport": {"width": width, "height": 900}}
            context = _context(browser, storage_state=state, **options)
            context.set_default_timeout(10_000)
            if lang == "en":
                page = context.new_page()
                page.goto(base_url + "/proposte/privacy")
                page.get_by_role("button", name="English").click()
                page.wait_for_load_state()
                page.close()
            opened[key] = context
        return opened[key]

    yield get
    for context in opened.values():
        context.close()


def look(page, axe, path: Path) -> list:
    """Everything wrong with the page as shown; save its screenshot first."""
    page.screenshot(path=str(path), full_page=True)
    problems = []
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    if overflow > 1:
        problems.append(f"scrolls sideways by {overflow} px")
    problems += [f"overlap: {o['a']} / {o['b']} ({o['dx']}x{o['dy']} px)" for o in overlaps(page)]
    problems += [f"axe: {v}" for v in axe(page)]
    return problems


# Codes that must never reach an Italian page's text: each has a label (framework/labels.py).
RAW_CODES = re.compile(
    r"(?<![\w/-])("
    + "|".join(
        sorted(
            {
                *(c for c in (*RESPONSE_STATES, *VERSION_STATES, *AMENDMENT_STATES) if "-" in c),
                *(c for c in PARTICIPANT_ROLES if "-" in c),
                *CONTRIBUTION_STATES,
                *OBJECTIVE_KINDS,
                "region", "meeting", "paper", "planned", "closed",
                "fuori-strategia", "famiglie-minori", "servizio-civile", "socio-sanitario",
                "sistema-informativo",
            },
            key=len,
            reverse=True,
        )
    )
    + r")(?![\w/-])"
)  # fmt: skip


def raw_codes(page) -> list[str]:
    """Codes shown as they are stored instead of their label, in the page's visible text."""
    found = RAW_CODES.findall(page.evaluate("document.body.innerText"))
    return [f"raw code on the page: {code}" for code in sorted(set(found))]


def overlaps(page) -> list[dict]:
    return page.evaluate(OVERLAPS)


def _known(request, key):
    if key in KNOWN:
        request.applymarker(pytest.mark.xfail(reason=KNOWN[key], strict=True))


@pytest.mark.parametrize(("width", "lang"), VARIANTS, ids=VARIANT_IDS)
@pytest.mark.parametrize(("endpoint", "role"), PAGES, ids=[f"{e}-{r}" for e, r in PAGES])
def test_page(request, live_app, base_url, sweep_ids, contexts, axe, endpoint, role, width, lang):
    name = f"{endpoint}-{role}-{width}-{lang}"
    _known(request, name)
    PAGES_DIR.mkdir(parents=True, exist_ok=True)
    url = page_url(live_app, endpoint, sweep_ids)
    page = contexts(ACCOUNTS[role], width, lang).new_page()
    try:
        response = page.goto(base_url + url)
        assert response.status == 200, url
        page.wait_for_load_state("networkidle")
        assert page.locator("html").get_attribute("lang") == lang
        problems = look(page, axe, PAGES_DIR / f"{name}.png")
        if lang == "it" and not endpoint.startswith("admin."):  # admins edit the codes themselves
            problems += raw_codes(page)
        if endpoint in FORMS:
            form = page.locator(FORMS[endpoint]).first
            assert form.count() == 1, f"no form {FORMS[endpoint]} on {url}"
            form.evaluate(
                """(form) => {
                  form.noValidate = true;
                  for (const field of form.querySelectorAll(
                    'input[type=text], input[type=email], input[type=password], input[type=url],'
                    + ' input[type=number], input[type=date], input[type=time], input:not([type]),'
                    + ' textarea')) field.value = '';
                }"""
            )
            with page.expect_response(lambda r: r.request.method == "POST") as sent:
                form.locator("[type=submit]").first.click()
            assert sent.value.status in (400, 422), f"{url} accepted an empty form"
            page.wait_for_load_state("networkidle")
            page.wait_for_timeout(100)  # htmx settles its swap
            errors = look(page, axe, PAGES_DIR / f"{name}-errors.png")
            problems += [f"with errors: {p}" for p in errors]
    finally:
        page.close()
    assert problems == [], "\n".join(problems)


BROKEN_FORM = """<!doctype html><html lang="it"><body><main>
<h1>Prova</h1>
<form style="position:relative">
  <label for="name">Il tuo nome</label>
  <input id="name">
  <label for="email" id="over" style="position:absolute;top:40px;left:4px">La tua e-mail</label>
  <input id="email">
</form></main></body></html>"""

CLEAN_FORM = """<!doctype html><html lang="it"><body><main>
<h1>Prova</h1>
<p>Un testo con <a href="#">un collegamento che va a capo su due righe anche in pagine
strette</a> e ancora testo.</p>
<form>
  <label for="a">Il tuo nome</label> <input id="a">
  <label><input type="checkbox" id="k"> Acconsento</label>
  <div class="alert" role="alert">Errore: <a href="#a">correggi il nome</a></div>
  <button type="submit">Invia</button>
</form></main></body></html>"""


def test_the_overlap_check_fails_on_a_label_drawn_over_a_field_and_passes_a_clean_page(desktop):
    desktop.set_content(BROKEN_FORM)
    desktop.evaluate(
        "() => { const i = document.getElementById('name'), l = document.getElementById('over');"
        " l.style.top = i.offsetTop + 'px'; l.style.left = i.offsetLeft + 4 + 'px'; }"
    )
    found = overlaps(desktop)
    assert any(o["a"].startswith("input#name") and o["b"].startswith("label#over") for o in found)
    desktop.set_content(CLEAN_FORM)
    assert overlaps(desktop) == []
