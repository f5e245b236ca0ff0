from sqlmodel import select

from consult.analysis.similarity import similar_contributions
from consult.common import audit
from consult.common.models import AuditLog


def test_similar_contributions_finds_the_same_idea_despite_typos(
    db, consultation, create_contribution
):
    same = create_contribution(text="Servono più alloggi popolari per le famiglie sfrattate.")
    create_contribution(text="Il servizio civile dovrebbe durare diciotto mesi.")
    create_contribution(
        text="Alloggi popolari per famiglie sfratate, ne servono di più", status="pending"
    )
    found = similar_contributions(
        db,
        consultation_id=consultation.id,
        text="servono piu aloggi popolari per famiglie sfrattate",
    )
    assert [item.contribution.id for item in found] == [same.id]
    assert 0.25 <= found[0].score <= 1.0


def test_similar_contributions_ignores_short_text_and_excluded(
    db, consultation, create_contribution
):
    item = create_contribution(text="Servono più alloggi popolari per le famiglie sfrattate.")
    assert similar_contributions(db, consultation_id=consultation.id, text="casa") == []
    found = similar_contributions(
        db, consultation_id=consultation.id, text=item.text, exclude_ids=[item.id]
    )
    assert found == []


def test_audit_record_keeps_before_and_after(db, create_user):
    user = create_user(role="planner")
    audit.record(
        db,
        actor_id=user.id,
        action="theme.rename",
        entity_type="theme",
        entity_id=7,
        before={"label": "casa"},
        after={"label": "Abitare", "when": object()},
    )
    db.commit()
    entry = db.exec(select(AuditLog)).one()
    assert entry.before == {"label": "casa"}
    assert entry.after["label"] == "Abitare"
    assert entry.after["when"].startswith("<object")
