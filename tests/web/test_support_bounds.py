"""Anonymous supports cost more than a cookie: each address and browser has an allowance, and
the counts say how many supports came from accounts."""

from sqlmodel import func, select

from consult.proposals.models import Support
from consult.proposals.participant import ALLOWANCES
from tests.web.engagement_world import logged_in

PER_PROPOSAL = "ANONYMOUS_SUPPORTS_PER_ADDRESS_AND_PROPOSAL"
BOUNDED = "Da questa connessione sono già arrivati molti sostegni anonimi"


def supports(db) -> int:
    return db.exec(select(func.count()).select_from(Support)).one()


def _support(browser, contribution, **kwargs):
    return browser.post(f"/proposte/{contribution.id}/sostieni", follow_redirects=True, **kwargs)


def test_fresh_browsers_from_one_address_get_bounded_supports(app, db, create_contribution):
    contribution = create_contribution()
    default = ALLOWANCES["support"][0][1]
    assert default == "5 per day"
    pages = [_support(app.test_client(), contribution).get_data(as_text=True) for _ in range(25)]
    assert supports(db) == 5  # not 25: the sixth cookie-less browser is asked to log in
    assert all(BOUNDED not in page for page in pages[:5])
    assert all(BOUNDED in page for page in pages[5:])
    assert "5 sostegni, 0 da utenti registrati" in pages[-1]


def test_a_forged_token_cookie_does_not_reset_the_bound(app, db, create_contribution):
    app.config[PER_PROPOSAL] = "1 per day"
    contribution = create_contribution()
    browser = app.test_client()
    _support(browser, contribution)
    browser.set_cookie("consult_supporter", "forged-value", domain="localhost")
    page = _support(browser, contribution).get_data(as_text=True)
    assert BOUNDED in page and supports(db) == 1
    fresh = app.test_client()
    fresh.set_cookie("consult_supporter", "another.forged.value", domain="localhost")
    assert BOUNDED in _support(fresh, contribution).get_data(as_text=True)
    assert supports(db) == 1


def test_the_bound_is_per_proposal_and_per_address(app, db, create_contribution):
    app.config[PER_PROPOSAL] = "1 per day"
    first, second = create_contribution(), create_contribution()
    _support(app.test_client(), first)
    _support(app.test_client(), second)  # another proposal: its own allowance
    other_address = {"environ_base": {"REMOTE_ADDR": "203.0.113.7"}}
    _support(app.test_client(), first, **other_address)
    assert supports(db) == 3


def test_the_browser_bound_holds_across_proposals(app, db, create_contribution):
    app.config["ANONYMOUS_SUPPORTS_PER_BROWSER"] = "1 per day"
    first, second = create_contribution(), create_contribution()
    browser = app.test_client()
    _support(browser, first)
    assert BOUNDED in _support(browser, second).get_data(as_text=True)
    assert supports(db) == 1


def test_asking_again_spends_no_allowance(app, db, create_contribution):
    app.config[PER_PROPOSAL] = "2 per day"
    contribution = create_contribution()
    browser = app.test_client()
    for _ in range(4):
        _support(browser, contribution)
    _support(app.test_client(), contribution)
    assert supports(db) == 2


def test_accounts_are_not_bounded_by_the_address(app, db, create_user, create_contribution):
    app.config[PER_PROPOSAL] = "1 per day"
    contribution = create_contribution()
    _support(app.test_client(), contribution)
    for _ in range(3):
        _support(logged_in(app, create_user), contribution)
    assert supports(db) == 4


def test_an_empty_setting_switches_a_bound_off(app, db, create_contribution):
    app.config[PER_PROPOSAL] = ""
    contribution = create_contribution()
    for _ in range(7):
        _support(app.test_client(), contribution)
    assert supports(db) == 7


def test_the_bounded_answer_keeps_the_support_button_for_htmx(app, db, create_contribution):
    app.config[PER_PROPOSAL] = "1 per day"
    contribution = create_contribution()
    _support(app.test_client(), contribution)
    response = app.test_client().post(
        f"/proposte/{contribution.id}/sostieni", headers={"HX-Request": "true"}
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and BOUNDED in body
    assert "Sostieni questa proposta" in body and "La sostieni" not in body


def test_counts_say_how_many_supports_came_from_accounts(
    app, client, db, create_user, create_contribution
):
    contribution = create_contribution(text="Più posti nei centri diurni.")
    _support(app.test_client(), contribution)
    _support(app.test_client(), contribution)
    answer = logged_in(app, create_user).post(
        f"/proposte/{contribution.id}/sostieni", headers={"HX-Request": "true"}
    )
    assert "3 sostegni, 1 da utente registrato" in answer.get_data(as_text=True)
    page = client.get(f"/proposte/{contribution.id}").get_data(as_text=True)
    assert "3 sostegni, 1 da utente registrato" in page
    listing = client.get("/proposte").get_data(as_text=True)
    assert "3 sostegni, 1 da utente registrato" in listing


def test_counts_are_in_english_too(app, db, create_contribution):
    contribution = create_contribution()
    browser = app.test_client()
    _support(browser, contribution)
    page = browser.get(f"/proposte/{contribution.id}", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    assert "1 supporter, 0 from registered users" in page
