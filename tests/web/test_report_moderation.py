"""Reports cost more than a cookie: anonymous ones queue an item at the moderation desk, hiding
takes accounts (or the configured mix) or a moderator, and the desk is the moderators' alone."""

from sqlmodel import func, select

from consult.common.models import AuditLog
from consult.proposals.models import AbuseReport
from tests.web.engagement_world import comment_hidden_by_accounts, logged_in

QUEUE = "/moderazione"


def _decide(browser, kind: str, item_id, decision: str) -> str:
    """kind: proposta or commento; decision: hide or restore."""
    data = {"voce": f"{kind}-{item_id}", "azione": decision}
    return browser.post(QUEUE, data=data, follow_redirects=True).get_data(as_text=True)


def _report(browser, contribution, reason: str = "spam"):
    return browser.post(
        f"/proposte/{contribution.id}/segnala", data={"reason": reason}, follow_redirects=True
    )


def test_three_cookieless_reports_leave_the_proposal_published_and_queued(
    app, client, db, create_user, create_contribution
):
    contribution = create_contribution(text="Una proposta scomoda ma legittima.")
    for _ in range(3):
        page = _report(app.test_client(), contribution).get_data(as_text=True)
        assert "la verificheranno i facilitatori" in page
    db.refresh(contribution)
    assert contribution.status == "published"
    assert client.get(f"/proposte/{contribution.id}").status_code == 200
    assert db.exec(select(func.count()).select_from(AbuseReport)).one() == 3
    queue = logged_in(app, create_user, "moderator").get(QUEUE).get_data(as_text=True)
    assert "Una proposta scomoda ma legittima." in queue
    assert "3 segnalazioni" in queue and "0 da utenti registrati" in queue


def test_account_reports_hide_per_the_configured_threshold(
    app, client, db, create_user, create_contribution
):
    app.config["ABUSE_REPORT_THRESHOLD"] = 1
    contribution = create_contribution()
    _report(app.test_client(), contribution)  # anonymous: queued only
    db.refresh(contribution)
    assert contribution.status == "published"
    page = _report(logged_in(app, create_user), contribution).get_data(as_text=True)
    assert "nascosto in attesa di verifica" in page
    db.refresh(contribution)
    assert contribution.status == "hidden"
    assert client.get(f"/proposte/{contribution.id}").status_code == 404


def test_anonymous_reports_weigh_as_configured(app, db, create_user, create_contribution):
    app.config.update(ABUSE_REPORT_THRESHOLD=2, ABUSE_REPORT_ANONYMOUS_WEIGHT=0.5)
    contribution = create_contribution()
    _report(logged_in(app, create_user), contribution)
    _report(app.test_client(), contribution)
    db.refresh(contribution)
    assert contribution.status == "published"  # 1 + 0.5
    _report(app.test_client(), contribution)
    db.refresh(contribution)
    assert contribution.status == "hidden"  # 1 + 0.5 + 0.5


def test_anonymous_reports_are_bounded_per_address(app, db, create_contribution):
    app.config["ANONYMOUS_REPORTS_PER_ADDRESS"] = "2 per day"
    items = [create_contribution() for _ in range(3)]
    pages = [_report(app.test_client(), item).get_data(as_text=True) for item in items]
    assert "accedi per inviarne altre" in pages[2]
    assert "accedi per inviarne altre" not in pages[0] + pages[1]
    assert db.exec(select(func.count()).select_from(AbuseReport)).one() == 2


def test_a_moderator_hides_a_reported_proposal(app, client, db, create_user, create_contribution):
    contribution = create_contribution()
    _report(app.test_client(), contribution)
    moderator = logged_in(app, create_user, "moderator")
    page = _decide(moderator, "proposta", contribution.id, "hide")
    assert "1 contenuto deciso." in page and "Nessuna segnalazione aperta." in page
    db.refresh(contribution)
    assert contribution.status == "hidden"
    report = db.exec(select(AbuseReport)).one()
    assert report.resolved_at is not None and report.resolution == "hidden"
    assert report.resolved_by_id is not None
    assert "contribution.reports-hidden" in db.exec(select(AuditLog.action)).all()
    assert client.get(f"/proposte/{contribution.id}").status_code == 404


def test_an_admin_republishes_a_comment_hidden_by_reports(
    app, client, db, create_user, create_contribution
):
    contribution = create_contribution()
    comment = comment_hidden_by_accounts(
        app, db, create_user, contribution, "Critica dura ma civile."
    )
    assert comment.status == "hidden"
    admin = logged_in(app, create_user, "admin")
    assert "Critica dura ma civile." in admin.get(QUEUE).get_data(as_text=True)
    _decide(admin, "commento", comment.id, "restore")
    db.refresh(comment)
    assert comment.status == "published"
    resolutions = db.exec(select(AbuseReport.resolution)).all()
    assert resolutions == ["kept", "kept", "kept"]
    assert "Critica dura ma civile." in client.get(f"/proposte/{contribution.id}").get_data(
        as_text=True
    )


def test_the_desk_is_for_moderators_only(app, client, create_user):
    assert client.get(QUEUE).status_code == 302  # to the login page
    assert logged_in(app, create_user).get(QUEUE).status_code == 403
    assert logged_in(app, create_user, "planner").get(QUEUE).status_code == 403


def test_a_bad_decision_changes_nothing(app, db, create_user, create_contribution):
    contribution = create_contribution()
    _report(app.test_client(), contribution)
    moderator = logged_in(app, create_user, "moderator")
    page = _decide(moderator, "proposta", contribution.id, "cancella")
    assert "approva, rifiuta, ripristina o conferma" in page
    db.refresh(contribution)
    assert contribution.status == "published"
    assert db.exec(select(AbuseReport.resolved_at)).one() is None
    for voce in ("altro-1", "proposta-9999"):
        answer = moderator.post(QUEUE, data={"voce": voce, "azione": "hide"})
        assert answer.status_code == 404


def test_a_rejected_proposal_is_not_republished_from_the_queue(
    app, db, create_user, create_contribution
):
    contribution = create_contribution()
    _report(app.test_client(), contribution)
    contribution.status = "rejected"
    db.add(contribution)
    db.commit()
    moderator = logged_in(app, create_user, "moderator")
    page = _decide(moderator, "proposta", contribution.id, "restore")
    assert "non è possibile per un contenuto in questo stato" in page
    db.refresh(contribution)
    assert contribution.status == "rejected"


def test_a_zero_threshold_leaves_hiding_to_the_moderators(
    app, db, create_user, create_contribution
):
    app.config["ABUSE_REPORT_THRESHOLD"] = 0
    contribution = create_contribution()
    _report(logged_in(app, create_user), contribution)
    db.refresh(contribution)
    assert contribution.status == "published"
