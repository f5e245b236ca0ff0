"""The demo's strategy document: the draft that travels to the meetings and comes back richer.

Version 1 (the framework's axes and objectives) went to the meetings; two of the tour's meetings
commented on it, the demo participant proposed three amendments (one accepted with changes, one
accepted as written, one declined with a reason), and version 2, approved, takes up the accepted
texts, a meeting's comment and two proposals, each cited: the seed's "la strategia ne risulta
arricchita", made checkable. Version 1 is then superseded.
"""

from sqlmodel import Session, col, select

from consult.accounts.models import User
from consult.analysis.rows import stored_id
from consult.coplanning import inputs, versions
from consult.coplanning.models import StrategySection
from consult.framework.models import Consultation
from consult.meetings.models import Meeting
from consult.proposals.models import Contribution

COMMENTS = (
    (
        "Incontro territoriale di Cuneo",
        "abitare",
        "Nei comuni montani mancano alloggi in affitto: il gruppo chiede di citare le aree "
        "interne e i comuni sotto i 5.000 abitanti tra le priorità dell'abitare sociale.",
    ),
    (
        "Incontro territoriale di Novara",
        "poverta",
        "Gli operatori chiedono di collegare la misura di sostegno al reddito ai centri per "
        "l'impiego, con un patto unico per la famiglia.",
    ),
)
AMENDMENTS = (
    (
        "abitare",
        "Dalla politica della casa alle politiche per l'abitare, con un'attenzione specifica "
        "alle aree interne: agenzie sociali per la locazione in ogni distretto e un fondo "
        "per la morosità incolpevole che intervenga prima dello sfratto.",
        "accolto-con-modifiche",
    ),
    (
        "servizio-civile",
        "Rendere il servizio civile obbligatorio per tutti i giovani residenti in Piemonte.",
        "non-accolto",
    ),
    (
        "famiglie-minori",
        "Aggiungere i centri per le famiglie in ogni distretto, aperti anche il sabato, come "
        "primo punto di ascolto per i genitori.",
        "accolto",
    ),
)
DECLINED_REASON = (
    "Il servizio civile universale è volontario per legge nazionale: la Regione può ampliare "
    "i posti e i progetti, non renderlo obbligatorio."
)
APPROVAL_NOTE = (
    "Versione approvata dopo l'ascolto dei territori: accoglie due emendamenti, il commento "
    "dell'incontro di Cuneo sulle aree interne e le proposte su affitti e lavoro."
)
ACCEPTED_TEXT = (
    "Dalla politica della casa alle politiche per l'abitare: agenzie sociali per la locazione "
    "in ogni distretto della coesione sociale, con priorità alle aree interne e ai comuni "
    "montani, e un fondo per la morosità incolpevole che intervenga prima dello sfratto."
)


def ensure_strategy(
    db: Session, consultation: Consultation, *, planner: User, participant: User
) -> None:
    """Load the strategy's versions once; a consultation that already has them is left alone."""
    consultation_id = stored_id(consultation)
    if versions.all_versions(db, consultation_id):
        return
    first = versions.start_draft(db, consultation, actor_id=stored_id(planner))
    versions.publish(
        db,
        first,
        note="Bozza presentata nell'assemblea plenaria e portata negli incontri territoriali.",
        approve=False,
        actor_id=stored_id(planner),
    )
    sections = {s.key: s for s in versions.sections(db, stored_id(first))}
    comments = [
        inputs.record_meeting_comment(
            db, sections[key], _meeting(db, title), text=text, actor_id=stored_id(planner)
        )
        for title, key, text in COMMENTS
    ]
    for key, text, outcome in AMENDMENTS:
        amendment = inputs.propose_amendment(
            db, sections[key], text=text, author_id=stored_id(participant)
        )
        inputs.decide(
            db,
            amendment,
            consultation,
            outcome=outcome,
            actor_id=stored_id(planner),
            text=ACCEPTED_TEXT if outcome == "accolto-con-modifiche" else "",
            reason=DECLINED_REASON if outcome == "non-accolto" else "",
        )
    draft = versions.start_draft(db, consultation, actor_id=stored_id(planner))
    _cite(db, draft.id, "abitare", comments[0].id, _proposals_about(db, consultation_id, "affitt"))
    _cite(db, draft.id, "poverta", comments[1].id, _proposals_about(db, consultation_id, "lavor"))
    versions.publish(db, draft, note=APPROVAL_NOTE, approve=True, actor_id=stored_id(planner))


def _cite(
    db: Session, draft_id: int | None, key: str, comment_id: int | None, proposal_ids: list[int]
) -> None:
    """Add a meeting's comment and some proposals to what a draft's section takes up."""
    section = db.exec(
        select(StrategySection).where(
            StrategySection.version_id == draft_id, StrategySection.key == key
        )
    ).one()
    kept = versions.provenance_of(db, stored_id(section))
    versions.set_provenance(
        db,
        section,
        versions.Provenance(
            amendment_ids=kept.amendment_ids,
            meeting_comment_ids=(*kept.meeting_comment_ids, comment_id or 0),
            contribution_ids=(*kept.contribution_ids, *proposal_ids),
        ),
    )


def _meeting(db: Session, title: str) -> Meeting:
    return db.exec(select(Meeting).where(Meeting.title == title)).one()


def _proposals_about(db: Session, consultation_id: int, word: str, limit: int = 2) -> list[int]:
    """The first published proposals that mention `word` (the demo's texts are fixed)."""
    return [
        cid
        for cid in db.exec(
            select(Contribution.id)
            .where(
                Contribution.consultation_id == consultation_id,
                Contribution.status == "published",
                col(Contribution.text).contains(word),
            )
            .order_by(col(Contribution.id))
            .limit(limit)
        )
        if cid is not None
    ]
