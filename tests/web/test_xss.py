"""A corpus of XSS and template-injection payloads through every text field people type, checked
escaped in every page, export and JSON answer that shows them.

Each field gets the payload with its own tag (so a page showing it proves that field is
rendered) through the real forms, as the role that fills it in. Then every page is read: no
field's raw payload may appear, no `{{7*7}}` may have become 49, and each field must appear
escaped where it is meant to be shown.
"""

import csv
import io
import json
import re

import pytest
from markupsafe import escape
from openpyxl import load_workbook
from sqlmodel import select

from consult.analysis.models import Theme
from consult.meetings.models import LiveSession, Meeting
from consult.proposals.models import Contribution
from tests.marks import sampled
from tests.web.route_world import log_in

PAYLOADS = [
    "<script>alert('{t}')</script>",
    '"><img src=x onerror=alert("{t}")>',
    "'><svg/onload=alert('{t}')>",
    "javascript:alert('{t}')",
    '<a href="javascript:alert(1)">{t}</a>',
    "{{{{7*7}}}} {t}",
    "{{% print(7*7) %}} {t}",
    "</textarea><iframe src=//evil.example/{t}>",
    "<style>body{{display:none}}</style>{t}",
    "&lt;b&gt;{t}&lt;/b&gt;",
]
# Signs that markup or a template expression got through, whatever the field.
INJECTED = re.compile(
    r"<script>alert|<img src=x|<svg/onload|<iframe src=//evil|<style>body|"
    r"(href|src|action)=\"?javascript:|49 [a-z_]+-tag",
    re.IGNORECASE,
)
KEY = "a" * 32


def typed(payload: str, field: str, filler: str = "") -> str:
    """The payload tagged with its field, padded to pass length rules."""
    return f"{filler}{payload.format(t=f'{field}-tag')}"


class Seeder:
    """Fills every text field through its form and remembers what was typed where."""

    def __init__(self, app, db, payload, users):
        self.app, self.db, self.payload, self.users = app, db, payload, users
        self.values: dict[str, str] = {}
        self.clients = {role: self._client(role) for role in users}
        self.clients["anonymous"] = app.test_client()

    def _client(self, role):
        client = self.app.test_client()
        log_in(client, self.users[role])
        return client

    def value(self, field: str, filler: str = "") -> str:
        self.values[field] = typed(self.payload, field, filler)
        return self.values[field]

    def post(self, role: str, url: str, data: dict, expected=(302, 303), **kwargs):
        response = self.clients[role].post(url, data=data, **kwargs)
        assert response.status_code in expected, (url, response.get_data(as_text=True)[:2000])
        return response


def _seed_meeting(s: Seeder) -> tuple[Meeting, LiveSession]:
    s.post(
        "facilitator",
        "/facilitatore/incontri/nuovo",
        {
            "title": s.value("meeting_title", "Incontro "),
            "territory": "1",
            "place": s.value("meeting_place"),
            "starts_at": "2017-11-06T09:30",
            "agenda": s.value("meeting_agenda"),
            "facilitators": [str(s.users["facilitator"].id)],
        },
    )
    meeting = s.db.exec(select(Meeting)).one()
    s.post("facilitator", f"/facilitatore/incontri/{meeting.id}/apri", {})
    s.post(
        "facilitator",
        f"/facilitatore/incontri/{meeting.id}/sessioni",
        {"moderation": "pre", "groups": s.value("working_group")},
    )
    return meeting, s.db.exec(select(LiveSession)).one()


def _seed_live(s: Seeder, live: LiveSession) -> None:
    phone = s.clients["anonymous"]
    phone.get(f"/live/{live.code}")  # the form signs the phone's identity cookie
    for field, key in (("live_text", "k" * 20), ("live_rejected", "r" * 20)):
        response = phone.post(
            f"/live/{live.code}",
            data={
                "text": s.value(field, "Proposta dal telefono: "),
                "territory": "1",
                "participant_role": "",
                "working_group": "0",
                "consent": "y",
                "idempotency_key": key,
            },
        )
        assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    items = {c.text: c.id for c in s.db.exec(select(Contribution))}
    kept, rejected = items[s.values["live_text"]], items[s.values["live_rejected"]]
    base = f"/facilitatore/sessioni/{live.id}/proposte"
    s.post(
        "facilitator",
        f"{base}/{kept}/correggi",
        {"text": s.value("moderation_correction", "Testo corretto: ")},
    )
    s.post("facilitator", f"{base}/{kept}/approva", {})
    s.post("facilitator", f"{base}/{kept}/evidenzia", {"value": "1"})
    s.post("facilitator", f"{base}/{rejected}/rifiuta", {"reason": s.value("rejection_reason")})
    s.post(
        "anonymous", f"/proposte/{kept}/segnala", {"reason": "altro", "detail": s.value("report")}
    )


def _seed_online(s: Seeder) -> Contribution:
    s.post(
        "anonymous",
        "/proposte/nuova",
        {
            "text": s.value("proposal_text", "Proposta online: "),
            "title": s.value("proposal_title"),
            "territory": "torino",
            "role": "operatore-sociale",
            "objective": "",
            "name": s.value("proposal_name"),
            "email": "",
            "consent": "y",
            "idempotency_key": KEY,
        },
    )
    proposal = s.db.exec(select(Contribution).where(Contribution.channel == "online")).one()
    s.post(
        "anonymous",
        f"/proposte/{proposal.id}/commenti",
        {"text": s.value("comment_text"), "name": s.value("comment_name")},
    )
    return proposal


def _seed_meeting_entries(s: Seeder, meeting: Meeting) -> None:
    base = f"/facilitatore/incontri/{meeting.id}"
    s.post(
        "facilitator",
        f"{base}/inserimento",
        {
            "text": s.value("entry_text", "Modulo cartaceo: "),
            "channel": "paper",
            "territory": "",
            "role": "",
            "objective": "",
            "working_group": "",
            "author_name": s.value("entry_author"),
            "note": s.value("entry_note"),
            "idempotency_key": "b" * 32,
        },
    )
    sheet = io.StringIO()
    rows = [["Testo", "Titolo", "Nome"]]
    rows.append(
        [s.value("import_text", "Dal verbale: "), s.value("import_title"), s.value("import_author")]
    )
    csv.writer(sheet).writerows(rows)
    upload = s.post(
        "facilitator",
        f"{base}/importa",
        {"file": (io.BytesIO(sheet.getvalue().encode()), "verbale.csv")},
        content_type="multipart/form-data",
    )
    token = upload.headers["Location"].rsplit("/", 1)[-1]
    mapping = s.clients["facilitator"].get(f"{base}/importa/{token}").get_data(as_text=True)
    _assert_escaped("import preview", mapping, s.values)
    assert str(escape(s.values["import_text"])) in mapping
    columns = {"text": "0", "title": "1", "author": "2", "attese": "1"}
    s.post("facilitator", f"{base}/importa/{token}/conferma", columns, expected=(200,))


def _seed_planning(s: Seeder, create_theme_run) -> str:
    members = s.db.exec(select(Contribution).where(Contribution.status == "published")).all()
    create_theme_run({"Tema": list(members)})
    key = s.db.exec(select(Theme)).one().stable_key
    s.post("planner", f"/pianificazione/temi/{key}/nome", {"rename-label": s.value("theme_name")})
    # off-strategy: the theme then shows on the objective page and in the report
    s.post("planner", f"/pianificazione/mappatura/tema/{key}", {"objective": "fuori-strategia"})
    s.post(
        "planner",
        "/pianificazione/risposte/nuova",
        {"theme": key, "objective": "", "status": "accolta", "text": s.value("response_text")},
    )
    s.post("planner", "/pianificazione/risposte/1/pubblica", {})
    return key


def _seed_account(s: Seeder) -> None:
    s.post(
        "anonymous",
        "/account/registrati",
        {
            "email": "nuovo@example.org",
            "display_name": s.value("registration_name"),
            "password": "una frase lunga e facile",
            "privacy": "y",
        },
        expected=(200,),  # "check your mail": the same page whether the address is new or not
    )
    profile = {"profile-display_name": s.value("display_name"), "profile-locale": "it"}
    s.post("participant", "/account/profilo", profile)


def _pages(meeting: Meeting, live: LiveSession, proposal: Contribution, key: str) -> dict:
    """Every page that shows what people typed: name -> (who reads it, URL)."""
    m, code = f"/facilitatore/incontri/{meeting.id}", live.code
    return {
        "home": ("anonymous", "/"),
        "list": ("anonymous", "/proposte"),
        "search": ("anonymous", "/proposte?q=online"),
        "detail": ("anonymous", f"/proposte/{proposal.id}"),
        "tracking": ("anonymous", f"/traccia/{proposal.tracking_token}"),
        "receipt": ("anonymous", f"/traccia/{proposal.tracking_token}/ricevuta"),
        "objective": ("anonymous", "/obiettivi/fuori-strategia"),
        "statistics": ("anonymous", "/statistiche"),
        "meetings": ("facilitator", "/facilitatore/incontri"),
        "meeting": ("facilitator", m),
        "meeting_edit": ("facilitator", f"{m}/modifica"),
        "tools": ("facilitator", f"{m}/strumenti"),
        "fast_entry": ("facilitator", f"{m}/inserimento"),
        "live_session": ("facilitator", f"/facilitatore/sessioni/{live.id}"),
        "queue": ("facilitator", f"/facilitatore/sessioni/{live.id}/moderazione?stato=published"),
        "queue_rejected": (
            "facilitator",
            f"/facilitatore/sessioni/{live.id}/moderazione?stato=rejected",
        ),
        "phone": ("anonymous", f"/live/{code}"),
        "projector": ("facilitator", f"/live/{code}/proiettore"),
        "projector_content": ("facilitator", f"/live/{code}/proiettore/contenuto"),
        "themes": ("planner", "/pianificazione/temi"),
        "theme": ("planner", f"/pianificazione/temi/{key}"),
        "theme_proposals": ("planner", f"/pianificazione/temi/{key}/proposte"),
        "mapping": ("planner", "/pianificazione/mappatura"),
        "coverage": ("planner", "/pianificazione/copertura"),
        "responses": ("planner", "/pianificazione/risposte/"),
        "report": ("planner", "/pianificazione/rapporto"),
        "account": ("participant", "/account"),
        "users": ("admin", "/admin/utenti"),
    }


# Where each field must be shown (escaped): proves the page renders it, so the check can fail.
SHOWN = {
    "proposal_text": ["list", "detail", "tracking", "theme_proposals", "search"],
    "proposal_title": ["list", "detail", "tracking"],
    "proposal_name": [],  # never published: see the JSON check
    "comment_text": ["detail"],
    "comment_name": ["detail"],
    "report": ["queue"],
    "live_text": [],  # corrected before approval: the correction is what is shown
    "moderation_correction": ["queue", "projector", "projector_content", "list"],
    "live_rejected": ["queue_rejected"],
    "rejection_reason": ["queue_rejected"],
    "entry_text": ["fast_entry", "list"],
    "entry_author": ["fast_entry"],
    "entry_note": ["fast_entry"],
    "import_text": ["list"],
    "import_title": ["list"],
    "import_author": [],
    "meeting_title": ["meetings", "meeting", "tools", "live_session", "projector", "phone"],
    "meeting_place": ["meetings", "meeting"],
    "meeting_agenda": ["meeting", "meeting_edit"],
    "working_group": ["live_session", "phone"],
    "theme_name": ["themes", "theme", "mapping", "responses", "objective", "report"],
    "response_text": ["responses", "tracking", "objective"],
    "registration_name": ["users"],
    "display_name": ["account", "users"],
}
JSON_ANSWERS = {
    "api_contributions": ("anonymous", "/api/v1/contributions"),
    "api_themes": ("anonymous", "/api/v1/themes"),
    "api_responses": ("anonymous", "/api/v1/responses"),
    "planner_json": ("planner", "/pianificazione/esporta.json"),
    "my_data": ("participant", "/account/i-miei-dati.json"),
}


def _assert_escaped(page: str, body: str, values: dict[str, str]) -> None:
    for field, value in values.items():
        if str(escape(value)) != value:
            assert value not in body, f"{field} shown raw in {page}"
    found = INJECTED.search(body)
    assert found is None, f"{page}: {body[max(found.start() - 200, 0) : found.end() + 100]}"


@pytest.fixture
def users(create_user):
    roles = ("participant", "facilitator", "planner", "admin")
    return {role: create_user(role=role) for role in roles}


@pytest.mark.parametrize("payload", sampled(PAYLOADS))
def test_every_text_field_is_escaped_everywhere(
    app, db, consultation, users, create_theme_run, tmp_path, payload
):
    app.config["IMPORT_FOLDER"] = str(tmp_path / "imports")
    s = Seeder(app, db, payload, users)
    meeting, live = _seed_meeting(s)
    _seed_live(s, live)
    proposal = _seed_online(s)
    _seed_meeting_entries(s, meeting)
    key = _seed_planning(s, create_theme_run)
    _seed_account(s)
    _check_stored_as_typed(db, s.values)

    missing = []
    for page, (role, url) in _pages(meeting, live, proposal, key).items():
        response = s.clients[role].get(url)
        assert response.status_code == 200, (page, url)
        body = response.get_data(as_text=True)
        _assert_escaped(page, body, s.values)
        missing += [
            f"{field} missing from {page}"
            for field, shown_on in SHOWN.items()
            if page in shown_on and str(escape(s.values[field])) not in body
        ]
    assert missing == [], "\n".join(missing)
    _check_json_and_exports(s, meeting)
    _check_minutes(s, meeting)


def _check_stored_as_typed(db, values: dict[str, str]) -> None:
    """Escaping happens on output only: the database keeps exactly what was typed."""
    texts = {c.text for c in db.exec(select(Contribution))}
    for field in ("proposal_text", "moderation_correction", "entry_text", "import_text"):
        assert values[field] in texts


def _strings(data) -> set[str]:
    """Every string in a JSON document, keys aside."""
    if isinstance(data, dict):
        return set().union(*map(_strings, data.values())) if data else set()
    if isinstance(data, list):
        return set().union(*map(_strings, data)) if data else set()
    return {data} if isinstance(data, str) else set()


# What each JSON answer must carry back exactly as typed.
IN_JSON = {
    "api_contributions": ["proposal_text", "proposal_title", "entry_text", "import_text"],
    "api_themes": ["theme_name"],
    "api_responses": ["response_text"],
    "planner_json": ["proposal_text"],
    "my_data": ["display_name"],
}


def _check_json_and_exports(s: Seeder, meeting: Meeting) -> None:
    for name, (role, url) in JSON_ANSWERS.items():
        response = s.clients[role].get(url)
        assert response.status_code == 200 and response.mimetype == "application/json", url
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        body = response.get_data(as_text=True)
        assert "<" not in body and ">" not in body, f"{url} carries raw markup"
        strings = "\n".join(_strings(json.loads(body)))
        for field in IN_JSON[name]:
            assert s.values[field] in strings, f"{field} missing from {url}"
    public = json.loads(s.clients["anonymous"].get("/api/v1/contributions").data)
    assert s.values["proposal_name"] not in "\n".join(_strings(public))  # authors stay private
    for role, url in (
        ("facilitator", f"/facilitatore/incontri/{meeting.id}/esporta.csv"),
        ("planner", "/pianificazione/esporta.csv"),
    ):
        response = s.clients[role].get(url)
        assert response.mimetype == "text/csv", url
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Content-Disposition"].startswith("attachment")
        text = response.get_data(as_text=True).lstrip("\ufeff")
        delimiter = ";" if ";" in text.splitlines()[0] else ","
        cells = {cell for row in csv.reader(io.StringIO(text), delimiter=delimiter) for cell in row}
        assert s.values["proposal_text"] in cells or s.values["entry_text"] in cells, url
    for role, url in (
        ("facilitator", f"/facilitatore/incontri/{meeting.id}/esporta.xlsx"),
        ("planner", "/pianificazione/esporta.xlsx"),
    ):
        response = s.clients[role].get(url)
        assert response.headers["Content-Disposition"].startswith("attachment"), url
        book = load_workbook(io.BytesIO(response.data), read_only=True)
        rows = [row for sheet in book for row in sheet.iter_rows(values_only=True)]
        cells = {str(c) for row in rows for c in row if c is not None}
        assert s.values["entry_text"] in cells or s.values["proposal_text"] in cells, url
    _check_streams(s, meeting)


def _check_streams(s: Seeder, meeting: Meeting) -> None:
    """The projector's event stream sends rendered HTML: escaped too (the queue's sends counts)."""
    live = s.db.exec(select(LiveSession)).one()
    for url, field in ((f"/live/{live.code}/proiettore/eventi", "moderation_correction"),):
        response = s.clients["facilitator"].get(url, buffered=False)
        chunks = iter(response.response)
        assert next(chunks).startswith(b"retry: ")
        first = next(chunks).decode()
        response.close()
        _assert_escaped(url, first, s.values)
        assert str(escape(s.values[field])) in first, f"{field} missing from {url}"


def _check_minutes(s: Seeder, meeting: Meeting) -> None:
    s.post(
        "facilitator",
        f"/facilitatore/incontri/{meeting.id}/chiudi",
        {
            "attendance": "12",
            "organisations": s.value("organisations"),
            "minutes": s.value("minutes"),
        },
    )
    body = (
        s.clients["facilitator"].get(f"/facilitatore/incontri/{meeting.id}").get_data(as_text=True)
    )
    _assert_escaped("closed meeting", body, s.values)
    for field in ("organisations", "minutes"):
        assert str(escape(s.values[field])) in body, f"{field} missing from the meeting page"


# --- co-planning (h-k): the strategy's sections, amendments, meeting comments, decisions ---


def _seed_coplanning(s: Seeder, meeting: Meeting) -> dict:
    """Version 1 written and published, amended, commented, decided; version 2 published."""
    from consult.coplanning.models import (
        Amendment,
        MeetingComment,
        StrategySection,
        StrategyVersion,
    )

    s.post("planner", "/pianificazione/strategia/bozza", {})
    section = s.db.exec(select(StrategySection).where(StrategySection.key == "isee")).one()
    base = "/pianificazione/strategia"
    s.post(
        "planner",
        f"{base}/sezioni/{section.id}",
        {"title": s.value("section_title"), "body": s.value("section_body", "Testo: ")},
    )
    s.post("planner", f"{base}/versioni/{section.version_id}/pubblica", {})
    for field in ("amendment_text", "amendment_rejected"):
        s.post(
            "anonymous",
            f"/strategia/sezioni/{section.id}/emendamento",
            {
                "text": s.value(field, "Emendamento proposto: "),
                "name": s.value(f"{field}_name"),
                "consent": "y",
            },
        )
    s.post(
        "facilitator",
        f"/facilitatore/incontri/{meeting.id}/strategia",
        {"section": section.id, "text": s.value("meeting_comment", "L'incontro dice: ")},
    )
    accepted, rejected = s.db.exec(select(Amendment).order_by(Amendment.id)).all()
    s.post(
        "planner",
        f"{base}/emendamenti/{accepted.id}/decisione",
        {
            f"a{accepted.id}-outcome": "accolto-con-modifiche",
            f"a{accepted.id}-text": s.value("accepted_text", "Accolto: "),
        },
    )
    s.post(
        "planner",
        f"{base}/emendamenti/{rejected.id}/decisione",
        {f"a{rejected.id}-outcome": "non-accolto", f"a{rejected.id}-reason": s.value("reason")},
    )
    draft = s.db.exec(select(StrategyVersion).where(StrategyVersion.number == 2)).one()
    revised = s.db.exec(select(StrategySection).where(StrategySection.version_id == draft.id))
    open_section = next(item for item in revised if item.key == "isee")
    comment = s.db.exec(select(MeetingComment)).one()
    s.post(
        "planner",
        f"{base}/sezioni/{open_section.id}",
        {
            "title": s.values["section_title"],
            "body": s.values["accepted_text"],
            "amendments": str(accepted.id),
            "comments": str(comment.id),
        },
    )
    s.post("planner", f"{base}/versioni/{draft.id}/pubblica", {"note": s.value("version_note")})
    return {
        "strategy_versions": ("anonymous", "/strategia/"),
        "strategy_version_1": ("anonymous", "/strategia/versione-1"),
        "strategy_changes": ("anonymous", "/strategia/versione-2/modifiche"),
        "strategy_amend": ("anonymous", f"/strategia/sezioni/{open_section.id}/emendamento"),
        "strategy_track": ("anonymous", f"/strategia/emendamenti/{rejected.tracking_token}"),
        "strategy_review": ("planner", f"{base}/versioni/{section.version_id}/revisione"),
        "strategy_workspace": ("planner", f"{base}/versioni/{draft.id}"),
        "strategy_dashboard": ("planner", f"{base}/"),
        "strategy_meeting": ("facilitator", f"/facilitatore/incontri/{meeting.id}/strategia"),
    }


# Where each co-planning field must be shown escaped. Section bodies are rendered as Markdown or
# split into a word diff, so they are only checked for raw markup; authors' names are never shown.
COPLANNING_SHOWN = {
    "section_title": [
        "strategy_version_1",
        "strategy_changes",
        "strategy_review",
        "strategy_amend",
    ],
    "section_body": [],
    "amendment_text": ["strategy_version_1", "strategy_review", "strategy_changes"],
    "amendment_text_name": [],
    "amendment_rejected": ["strategy_version_1", "strategy_review", "strategy_track"],
    "amendment_rejected_name": [],
    "meeting_comment": ["strategy_version_1", "strategy_review", "strategy_changes"],
    "accepted_text": [],  # a section body too
    "reason": ["strategy_version_1", "strategy_review", "strategy_track"],
    "version_note": ["strategy_versions", "strategy_changes"],
}


@pytest.mark.parametrize("payload", sampled(PAYLOADS))
def test_coplanning_fields_are_escaped_everywhere(app, db, consultation, users, payload):
    s = Seeder(app, db, payload, users)
    meeting, _live = _seed_meeting(s)
    pages = _seed_coplanning(s, meeting)
    missing = []
    for page, (role, url) in pages.items():
        response = s.clients[role].get(url)
        assert response.status_code == 200, (page, url)
        body = response.get_data(as_text=True)
        _assert_escaped(page, body, s.values)
        missing += [
            f"{field} missing from {page}"
            for field, shown_on in COPLANNING_SHOWN.items()
            if page in shown_on and str(escape(s.values[field])) not in body
        ]
    assert missing == [], "\n".join(missing)
    strings = ""
    for number in (1, 2):
        answer = s.clients["anonymous"].get(f"/api/v1/strategy/versions/{number}")
        body = answer.get_data(as_text=True)
        assert answer.mimetype == "application/json" and "<" not in body and ">" not in body
        strings += "\n".join(_strings(json.loads(body)))
    for field in ("section_title", "amendment_text", "meeting_comment", "reason", "version_note"):
        assert s.values[field] in strings, f"{field} missing from the strategy API"
    for field in ("amendment_text_name", "amendment_rejected_name"):
        assert s.values[field] not in strings  # authors stay private
