"""Browsing, supporting, commenting and reporting published proposals."""

import pytest
from sqlmodel import func, select

from consult.common.models import AuditLog
from consult.proposals.models import AbuseReport, Comment, Support
from tests.web.engagement_world import comment_hidden_by_accounts, logged_in


def count(db, model) -> int:
    return db.exec(select(func.count()).select_from(model)).one()


def test_list_searches_filters_and_is_shareable(client, create_contribution):
    create_contribution(text="Più posti nei centri diurni.", channel="paper")
    create_contribution(text="Trasporto sociale nelle valli.")
    page = client.get("/proposte?q=centro+diurno&canale=paper").get_data(as_text=True)
    assert "centri diurni" in page and "Trasporto sociale" not in page
    assert 'value="centro diurno"' in page  # the filters stay in the form and the address


def test_list_answers_htmx_with_the_results_fragment(client, create_contribution):
    create_contribution()
    response = client.get("/proposte", headers={"HX-Request": "true"})
    assert "HX-Request" in response.headers["Vary"]
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<section id="results"') and "<html" not in body
    assert "HX-Request" in client.get("/proposte").headers["Vary"]


def test_list_pages_keep_the_filters_in_links(client, create_contribution):
    for n in range(25):
        create_contribution(text=f"Proposta sul welfare numero {n}")
    page = client.get("/proposte?q=welfare").get_data(as_text=True)
    assert "Pagina 1 di 2" in page and "/proposte?pagina=2&amp;q=welfare" in page
    second = client.get("/proposte?q=welfare&pagina=2").get_data(as_text=True)
    assert second.count('class="card card-bg proposal-card"') == 5
    assert client.get("/proposte?pagina=abc&incontro=xyz").status_code == 200


def test_only_published_proposals_have_a_public_page(client, create_contribution):
    for status in ("pending", "rejected", "merged", "hidden"):
        assert client.get(f"/proposte/{create_contribution(status=status).id}").status_code == 404
    published = create_contribution(title="Centri diurni")
    page = client.get(f"/proposte/{published.id}").get_data(as_text=True)
    assert "Centri diurni" in page and "Segnala un abuso" in page
    assert client.get("/proposte/99999").status_code == 404


def test_one_support_per_anonymous_browser(client, db, create_contribution):
    contribution = create_contribution()
    first = client.post(f"/proposte/{contribution.id}/sostieni", headers={"HX-Request": "true"})
    assert first.status_code == 200
    assert "1 sostegno" in first.get_data(as_text=True)
    assert "consult_supporter=" in first.headers["Set-Cookie"]
    again = client.post(f"/proposte/{contribution.id}/sostieni", headers={"HX-Request": "true"})
    assert "Sostieni già questa proposta." in again.get_data(as_text=True)
    assert count(db, Support) == 1
    stored = db.exec(select(Support)).one()
    assert stored.user_id is None and len(stored.browser_token) == 64  # a hash, not the cookie

    other_browser = client.application.test_client()
    other_browser.post(f"/proposte/{contribution.id}/sostieni")
    assert count(db, Support) == 2
    page = client.get(f"/proposte/{contribution.id}").get_data(as_text=True)
    assert "2 sostegni" in page and "La sostieni" in page


def test_forged_supporter_cookie_is_not_trusted(client, db, create_contribution):
    contribution = create_contribution()
    client.set_cookie("consult_supporter", "forged-value", domain="localhost")
    client.post(f"/proposte/{contribution.id}/sostieni")
    client.set_cookie("consult_supporter", "forged-value", domain="localhost")
    client.post(f"/proposte/{contribution.id}/sostieni")
    assert count(db, Support) == 2  # each forged cookie became a fresh, signed identity


def test_one_support_per_account_and_no_js_redirect(
    client, db, auth, create_user, create_contribution
):
    contribution = create_contribution()
    user = create_user()
    auth.login(user.email)
    response = client.post(f"/proposte/{contribution.id}/sostieni")
    assert response.status_code == 302 and response.headers["Location"].endswith("#sostegno")
    client.post(f"/proposte/{contribution.id}/sostieni")
    assert db.exec(select(Support.user_id)).all() == [user.id]


def test_cannot_support_unpublished_proposals(client, db, create_contribution):
    pending = create_contribution(status="pending")
    assert client.post(f"/proposte/{pending.id}/sostieni").status_code == 404
    assert count(db, Support) == 0


def test_comments_are_published_and_escaped(client, db, create_contribution):
    contribution = create_contribution()
    response = client.post(
        f"/proposte/{contribution.id}/commenti",
        data={"text": "<img src=x onerror=alert(1)> D'accordo!", "name": ""},
    )
    assert response.status_code == 302
    page = client.get(f"/proposte/{contribution.id}").get_data(as_text=True)
    assert "&lt;img src=x onerror=alert(1)&gt; D&#39;accordo!" in page and "<img src=x" not in page
    assert "Anonimo" in page and "1 commento" in page


@pytest.mark.parametrize(
    ("text", "message"), [("", "Scrivi il tuo commento."), ("x" * 1001, "da 2 a 1000")]
)
def test_bad_comments_are_refused_and_kept(client, db, create_contribution, text, message):
    contribution = create_contribution()
    response = client.post(
        f"/proposte/{contribution.id}/commenti", data={"text": text, "name": "Bea"}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page and 'value="Bea"' in page
    assert count(db, Comment) == 0


def test_distinct_account_reports_hide_a_proposal(
    app, client, db, create_user, create_contribution
):
    app.config["ABUSE_REPORT_THRESHOLD"] = 2
    contribution = create_contribution()
    url = f"/proposte/{contribution.id}/segnala"
    first = logged_in(app, create_user)
    first.post(url, data={"reason": "spam"})
    first.post(url, data={"reason": "spam"})  # the same account again: not counted
    db.refresh(contribution)
    assert contribution.status == "published" and count(db, AbuseReport) == 1
    logged_in(app, create_user).post(url, data={"reason": "offensivo", "detail": "insulti"})
    db.refresh(contribution)
    assert contribution.status == "hidden"
    reasons = sorted(r.reason for r in db.exec(select(AbuseReport)).all())
    assert reasons == ["offensivo: insulti", "spam"]
    assert db.exec(select(AuditLog.action)).all() == ["contribution.hidden-by-reports"]
    assert client.get(f"/proposte/{contribution.id}").status_code == 404
    assert client.get("/api/v1/contributions").get_json()["total"] == 0


def test_reported_comments_are_hidden_after_three_accounts(
    app, client, db, create_user, create_contribution
):
    contribution = create_contribution()
    comment = comment_hidden_by_accounts(app, db, create_user, contribution, "Spam spam spam")
    assert comment.status == "hidden"
    assert "Spam spam spam" not in client.get(f"/proposte/{contribution.id}").get_data(as_text=True)
    assert (
        client.post(f"/commenti/{comment.id}/segnala", data={"reason": "spam"}).status_code == 404
    )


@pytest.mark.rate_limited
def test_supports_are_rate_limited_per_address(app, client, db, create_contribution):
    app.config["ANONYMOUS_SUPPORTS_PER_ADDRESS_AND_PROPOSAL"] = "100 per day"
    contribution = create_contribution()
    statuses = [
        client.application.test_client().post(f"/proposte/{contribution.id}/sostieni").status_code
        for _ in range(31)
    ]
    assert statuses.count(302) == 30 and statuses[-1] == 429
    assert count(db, Support) == 30


def test_api_filters_and_single_proposal(client, db, create_contribution):
    paper = create_contribution(text="Più centri diurni.", channel="paper")
    create_contribution(text="Trasporto sociale.")
    db.add(Support(contribution_id=paper.id, browser_token="x"))
    db.commit()
    payload = client.get("/api/v1/contributions?channel=paper&q=centro").get_json()
    assert [i["id"] for i in payload["items"]] == [paper.id]
    assert payload["items"][0]["supports"] == 1
    by_support = client.get("/api/v1/contributions?sort=supported").get_json()["items"]
    assert by_support[0]["id"] == paper.id
    single = client.get(f"/api/v1/contributions/{paper.id}").get_json()
    assert single["supports"] == 1 and "tracking_token" not in single
    hidden = create_contribution(status="pending")
    assert client.get(f"/api/v1/contributions/{hidden.id}").status_code == 404
    assert client.get("/api/v1/contributions?meeting=abc").status_code == 400
    assert client.get("/api/v1/contributions?per_page=1&channel=paper").get_json()["next"] is None
