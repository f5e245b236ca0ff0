import json

from sqlalchemy import select as sa_select
from sqlmodel import SQLModel, select

from consult.accountability.models import Response
from consult.accounts.models import User
from consult.analysis.models import AnalysisRun, ObjectiveMapping
from consult.common import audit
from consult.common.models import AuditLog, utcnow
from consult.proposals.models import AbuseReport, Comment, Contribution, Support

EMAIL = "ada.lovelace@example.org"
NAME = "Ada Lovelace-Byron"


def _arrange(db, consultation, create_user, create_contribution, create_meeting):
    """An account that has done a bit of everything, plus an admin who changed its role."""
    ada = create_user(
        role="facilitator", email=EMAIL, display_name=NAME, email_verified_at=utcnow()
    )
    admin = create_user(role="admin")
    mine = create_contribution(
        author_id=ada.id, author_name=NAME, author_email=EMAIL, provenance={"signed": NAME}
    )
    signed = create_contribution(
        text="Proposta firmata con la mia e-mail, senza account.",
        author_name=NAME,
        author_email=EMAIL.upper(),
    )
    other = create_contribution(text="Una proposta di qualcun altro.", author_name="Bruno")
    db.add(Support(contribution_id=other.id, user_id=ada.id))
    db.add(
        Comment(
            contribution_id=other.id, author_id=ada.id, author_name=NAME, text="Sono d'accordo."
        )
    )
    db.add(AbuseReport(contribution_id=other.id, reporter_id=ada.id, reason="spam"))
    db.add(
        Response(
            consultation_id=consultation.id,
            contribution_id=other.id,
            text="Risposta",
            author_id=ada.id,
        )
    )
    run = AnalysisRun(consultation_id=consultation.id, started_by_id=ada.id)
    db.add(run)
    db.commit()
    db.add(ObjectiveMapping(contribution_id=other.id, confirmed_by_id=ada.id, run_id=run.id))
    create_meeting(facilitators=[ada])
    audit.record(
        db,
        actor_id=admin.id,
        action="user.role-changed",
        entity_type="user",
        entity_id=ada.id,
        before={"role": "participant", "email": EMAIL},
        after={"role": "facilitator"},
    )
    audit.record(
        db,
        actor_id=ada.id,
        action="contribution.approved",
        entity_type="contribution",
        entity_id=other.id,
        after={"status": "published", "by": NAME},
    )
    db.commit()
    return ada, (mine, signed, other)


def test_download_my_data(
    client, auth, db, consultation, create_user, create_contribution, create_meeting
):
    ada, (mine, signed, other) = _arrange(
        db, consultation, create_user, create_contribution, create_meeting
    )
    auth.login(EMAIL)
    response = client.get("/account/i-miei-dati.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["email"] == EMAIL and data["account"]["display_name"] == NAME
    assert "password" not in response.get_data(as_text=True).lower().replace("password-", "")
    assert ada.password_hash not in response.get_data(as_text=True)
    assert {p["id"] for p in data["proposals"]} == {mine.id, signed.id}
    tracking = {p["id"]: p["tracking_url"] for p in data["proposals"]}
    assert tracking[mine.id] == f"http://localhost/traccia/{mine.tracking_token}"
    assert data["supports"] == [
        {"proposal_id": other.id, "created_at": data["supports"][0]["created_at"]}
    ]
    assert [c["text"] for c in data["comments"]] == ["Sono d'accordo."]
    assert [r["reason"] for r in data["abuse_reports"]] == ["spam"]
    assert {e["action"] for e in data["audit_log"]} >= {
        "user.role-changed",
        "contribution.approved",
    }


def _all_text(db) -> str:
    """Every value of every row of every table, as one lower-case string."""
    chunks = []
    for table in SQLModel.metadata.sorted_tables:
        for row in db.connection().execute(sa_select(table)).all():
            chunks.extend(
                json.dumps(v, default=str) if isinstance(v, dict | list) else str(v) for v in row
            )
    return "\n".join(chunks).lower()


def test_delete_erases_personal_data_and_keeps_contributions(
    client, auth, db, consultation, create_user, create_contribution, create_meeting
):
    ada, (mine, signed, other) = _arrange(
        db, consultation, create_user, create_contribution, create_meeting
    )
    ada_id = ada.id
    before = _all_text(db)
    assert EMAIL in before and NAME.lower() in before  # the scan does see them
    auth.login(EMAIL)
    response = client.post("/account/elimina", data={"password": "secret-password"})
    assert response.status_code == 302
    assert "account è stato eliminato" in client.get("/").get_data(as_text=True)
    db.expire_all()
    assert db.get(User, ada_id) is None
    everything = _all_text(db)
    assert EMAIL not in everything
    assert NAME.lower() not in everything
    for contribution in (mine, signed):
        kept = db.get(Contribution, contribution.id)
        assert kept is not None and kept.text == contribution.text
        assert (kept.author_id, kept.author_name, kept.author_email) == (None, None, None)
    assert db.get(Contribution, other.id).author_name == "Bruno"
    comment = db.exec(select(Comment)).one()
    assert (comment.text, comment.author_id, comment.author_name) == ("Sono d'accordo.", None, None)
    assert db.exec(select(Support)).one().user_id is None  # the support still counts
    assert db.exec(select(AbuseReport)).one().reporter_id is None
    assert db.exec(select(AuditLog).where(AuditLog.action == "user.erased")).one()
    assert auth.login(EMAIL).status_code == 422


def test_delete_with_wrong_password_changes_nothing(client, auth, db, create_user):
    ada = create_user(email=EMAIL, display_name=NAME)
    auth.login(EMAIL)
    response = client.post("/account/elimina", data={"password": "sbagliata"})
    assert response.status_code == 422
    assert "La password non è corretta." in response.get_data(as_text=True)
    db.expire_all()
    assert db.get(User, ada.id).email == EMAIL
    assert client.get("/account").status_code == 200


def test_delete_page_explains_what_happens(client, auth, create_user):
    create_user(email=EMAIL)
    auth.login(EMAIL)
    page = client.get("/account/elimina").get_data(as_text=True)
    assert "restano nella consultazione" in page and "/account/i-miei-dati.json" in page


def test_erasure_scrubs_the_name_and_e_mail_written_inside_own_comments_and_reports(
    client, auth, db, create_user, create_contribution
):
    """Finding 10: erasure left the person's name and e-mail inside their comment and report
    texts; other people's texts, and words that merely contain the name, stay as they were."""
    create_user(email=EMAIL, display_name="Ada")
    ada = db.exec(select(User).where(User.email == EMAIL)).one()
    proposal = create_contribution()
    db.add(
        Comment(
            contribution_id=proposal.id,
            author_id=ada.id,
            text=f"Sono ADA, scrivetemi a {EMAIL.upper()}: abito in strada Adamello.",
        )
    )
    db.add(Comment(contribution_id=proposal.id, text="Ada ha ragione."))
    db.add(AbuseReport(contribution_id=proposal.id, reporter_id=ada.id, reason=f"Ada, {EMAIL}"))
    db.commit()
    auth.login(EMAIL)
    assert client.post("/account/elimina", data={"password": "secret-password"}).status_code == 302
    db.expire_all()
    texts = {c.text for c in db.exec(select(Comment)).all()}
    assert (
        "Sono [dato personale rimosso], scrivetemi a [dato personale rimosso]: "
        "abito in strada Adamello."
    ) in texts
    assert "Ada ha ragione." in texts  # someone else's words are theirs
    report = db.exec(select(AbuseReport)).one()
    assert report.reason == "[dato personale rimosso], [dato personale rimosso]"
