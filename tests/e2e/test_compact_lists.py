"""Lists a person works through stay compact: moderation cards fit ten to a screen at 1366 x 900.

Each test adds its own items to the demo (a dozen proposals waiting for moderation) and removes
them afterwards, so the other e2e tests see the demo as it was.
"""

import secrets

import pytest
from sqlmodel import col, delete, select

from consult import db
from consult.framework.models import Consultation
from consult.meetings.models import LiveSession
from consult.proposals.models import Contribution
from tests.e2e.conftest import PHONE, SCREENSHOTS, _context

DESKTOP = {"width": 1366, "height": 900}
TEXTS = [
    "Un punto di ascolto per i giovani in ogni distretto, aperto anche il sabato mattina.",
    "Più educatori di strada nelle periferie e nei comuni delle valli, tutto l'anno.",
    "Una carta unica dei servizi sociali del territorio, scritta in un linguaggio chiaro.",
    "Trasporto a chiamata per gli anziani che vivono lontano dai centri e dagli ambulatori.",
    "Sportelli per la casa nei comuni piccoli, con orari compatibili con chi lavora.",
    "Formazione comune per assistenti sociali e operatori dei centri per l'impiego.",
]


def _pending(live_app, *, channel: str, session_code: str | None, count: int = 12) -> list[int]:
    """`count` proposals waiting for moderation, online or in the demo's live session."""
    with live_app.app_context(), db.standalone_session() as session:
        consultation = session.exec(select(Consultation)).first()
        live = None
        if session_code:
            live = session.exec(select(LiveSession).where(LiveSession.code == session_code)).one()
        added = [
            Contribution(
                consultation_id=consultation.id,
                title="",
                text=f"{TEXTS[n % len(TEXTS)]} ({n + 1})",
                channel=channel,
                live_session_id=live.id if live else None,
                meeting_id=live.meeting_id if live else None,
                status="pending",
                tracking_token=secrets.token_urlsafe(16),
            )
            for n in range(count)
        ]
        session.add_all(added)
        session.commit()
        return [c.id for c in added]


def _remove(live_app, ids: list[int]) -> None:
    with live_app.app_context(), db.standalone_session() as session:
        session.exec(delete(Contribution).where(col(Contribution.id).in_(ids)))
        session.commit()


def _cards_in_first_screen(page, selector: str) -> tuple[int, int]:
    """(cards wholly inside the viewport before any scroll, cards on the page)."""
    return page.evaluate(
        """(selector) => {
          const cards = [...document.querySelectorAll(selector)];
          const inside = cards.filter((c) => {
            const r = c.getBoundingClientRect();
            return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight;
          });
          return [inside.length, cards.length];
        }""",
        selector,
    )


def _targets_too_small(page, selector: str) -> list[str]:
    """Buttons, links and fields of the cards smaller than WCAG 2.2's 24 x 24 px target."""
    return page.evaluate(
        """(selector) => [...document.querySelectorAll(selector)]
          .flatMap((c) => [...c.querySelectorAll('button, a, input:not([type=hidden]), summary')])
          .filter((e) => e.offsetParent !== null)
          .map((e) => [e, e.getBoundingClientRect()])
          .filter(([, r]) => r.width < 24 || r.height < 24)
          .map(([e, r]) => `${e.tagName} ${e.textContent.trim().slice(0, 20)}`
            + ` ${r.width}x${r.height}`)""",
        selector,
    )


@pytest.fixture
def open_as(browser, signed_in_state):
    contexts = []

    def open_page(email: str):
        context = _context(browser, viewport=DESKTOP, storage_state=signed_in_state(email))
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.mark.parametrize(
    ("name", "email", "channel", "code", "selector"),
    [
        ("desk", "moderatore@example.org", "online", None, ".desk-item"),
        ("live-queue", "facilitatore@example.org", "live", "DEMA42", ".queue-item"),
    ],
)
def test_ten_moderation_cards_fit_in_the_first_screen_at_1366_by_900(
    live_app, base_url, demo_ids, open_as, name, email, channel, code, selector
):
    ids = _pending(live_app, channel=channel, session_code=code)
    try:
        page = open_as(email)
        if name == "desk":
            url = "/c/piemonte-2018/moderazione"
        else:
            url = f"/c/piemonte-2018/facilitatore/sessioni/{demo_ids['session']}/moderazione"
        assert page.goto(base_url + url).status == 200
        page.wait_for_load_state("networkidle")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"compact-{name}-1366x900.png"))
        inside, total = _cards_in_first_screen(page, selector)
        assert total >= 12, f"{total} cards on {url}"
        assert inside >= 10, f"only {inside} of {total} moderation cards in the first screen"
        assert _targets_too_small(page, selector) == []
    finally:
        _remove(live_app, ids)


def test_the_phone_home_lists_the_objectives_compactly(browser, base_url):
    """At 390 px an objective is a short card (its kind, title, two lines of description and
    the link), so the strategy's eight objectives take about two screens, not six."""
    context = _context(browser, viewport=PHONE)
    try:
        page = context.new_page()
        assert page.goto(base_url + "/c/piemonte-2018/").status == 200
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "compact-home-390.png"), full_page=True)
        heights = page.evaluate(
            """() => [...document.querySelectorAll('.objective-card')]
                 .map((c) => c.getBoundingClientRect().height)"""
        )
        description_lines = page.evaluate(
            """() => [...document.querySelectorAll('.objective-card .card-text')].map((p) =>
                 Math.round(p.getBoundingClientRect().height
                            / parseFloat(getComputedStyle(p).lineHeight)))"""
        )
        print("objective cards", heights, "page", page.evaluate("document.body.scrollHeight"))
        assert len(heights) >= 8
        assert max(heights) <= 230, heights
        assert max(description_lines) <= 2, description_lines
    finally:
        context.close()
