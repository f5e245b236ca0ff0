"""Co-planning rules: drafts from the framework, locked versions, amendments, decisions, diffs."""

import re

import pytest
from sqlmodel import select

from consult.common.models import AuditLog
from consult.coplanning import changes, inputs, versions
from consult.coplanning.diff import Segment, word_diff
from consult.coplanning.models import SectionInput
from consult.coplanning.rendering import render_markdown

AMENDED = "Il servizio è aperto anche la domenica, con educatori formati."


@pytest.fixture
def first_version(db, consultation, create_user):
    """Version 1 built from the framework, published for consultation."""
    planner = create_user(role="planner")
    draft = versions.start_draft(db, consultation, actor_id=planner.id)
    section = next(s for s in versions.sections(db, draft.id) if s.key == "isee")
    versions.update_section(
        db,
        section,
        title=section.title,
        body="Il servizio è aperto la sera.",
        provenance=versions.Provenance(),
        actor_id=planner.id,
    )
    versions.publish(db, draft, note="", approve=False, actor_id=planner.id)
    db.commit()
    return draft, section, planner


def test_the_first_draft_has_the_framework_sections(db, consultation):
    draft = versions.start_draft(db, consultation, actor_id=None)
    keys = [s.key for s in versions.sections(db, draft.id)]
    assert keys == ["premessa", "isee", "abitare", "governance"]
    assert draft.number == 1 and draft.status == "bozza"
    assert versions.start_draft(db, consultation, actor_id=None).id == draft.id  # one draft


def test_a_published_version_cannot_be_edited_or_republished(db, first_version):
    version, section, planner = first_version
    with pytest.raises(versions.VersionLocked):
        versions.update_section(
            db,
            section,
            title="Altro",
            body="Altro testo",
            provenance=versions.Provenance(),
            actor_id=planner.id,
        )
    with pytest.raises(versions.VersionLocked):
        versions.publish(db, version, note="", approve=True, actor_id=planner.id)
    with pytest.raises(versions.VersionLocked):
        versions.set_provenance(db, section, versions.Provenance(contribution_ids=(1,)))


def test_an_approved_version_is_locked_and_closed_to_amendments(db, consultation):
    draft = versions.start_draft(db, consultation, actor_id=None)
    versions.publish(db, draft, note="", approve=True, actor_id=None)
    section = versions.sections(db, draft.id)[0]
    assert draft.status == "approvata"
    with pytest.raises(versions.VersionLocked):
        versions.ensure_draft(draft)
    with pytest.raises(inputs.InputsClosed):
        inputs.propose_amendment(db, section, text=AMENDED, author_id=None)


def test_a_draft_takes_no_amendments_or_meeting_comments(db, consultation, create_meeting):
    draft = versions.start_draft(db, consultation, actor_id=None)
    section = versions.sections(db, draft.id)[0]
    with pytest.raises(inputs.InputsClosed):
        inputs.propose_amendment(db, section, text=AMENDED, author_id=None)
    with pytest.raises(inputs.InputsClosed):
        inputs.record_meeting_comment(db, section, create_meeting(), text=AMENDED, actor_id=None)


def test_accepting_with_changes_writes_the_next_draft_and_records_the_input(
    db, consultation, first_version
):
    _version, section, planner = first_version
    amendment = inputs.propose_amendment(
        db, section, text=AMENDED, author_id=None, author_name="Anna", author_email="a@example.org"
    )
    edited = "Il servizio è aperto anche la domenica."
    inputs.decide(
        db,
        amendment,
        consultation,
        outcome="accolto-con-modifiche",
        text=edited,
        actor_id=planner.id,
    )
    draft = versions.current_draft(db, consultation.id)
    assert draft is not None and draft.number == 2
    target = next(s for s in versions.sections(db, draft.id) if s.key == "isee")
    assert target.body == edited
    assert versions.provenance_of(db, target.id).amendment_ids == (amendment.id,)
    assert amendment.status == "accolto-con-modifiche" and amendment.decided_by_id == planner.id
    with pytest.raises(inputs.AlreadyDecided):
        inputs.decide(db, amendment, consultation, outcome="non-accolto", reason="No", actor_id=1)
    actions = [e.action for e in db.exec(select(AuditLog).order_by(AuditLog.id))]
    assert actions[-3:] == [
        "strategy.amendment.propose",
        "strategy.draft",
        "strategy.amendment.decide",
    ]


def test_declining_needs_a_reason(db, consultation, first_version):
    _version, section, planner = first_version
    amendment = inputs.propose_amendment(db, section, text=AMENDED, author_id=None)
    with pytest.raises(ValueError):
        inputs.decide(db, amendment, consultation, outcome="non-accolto", actor_id=planner.id)
    inputs.decide(
        db, amendment, consultation, outcome="non-accolto", reason="Fuori tema.", actor_id=1
    )
    assert amendment.status == "non-accolto" and amendment.decision_reason == "Fuori tema."
    assert versions.current_draft(db, consultation.id) is None  # nothing taken up


def test_the_changes_cite_amendments_comments_and_proposals(
    db, consultation, first_version, create_meeting, create_contribution
):
    version, section, planner = first_version
    meeting = create_meeting(title="Incontro di Cuneo")
    comment = inputs.record_meeting_comment(
        db, section, meeting, text="Aprire la domenica.", actor_id=None
    )
    amendment = inputs.propose_amendment(db, section, text=AMENDED, author_id=None)
    inputs.decide(db, amendment, consultation, outcome="accolto", actor_id=planner.id)
    proposal = create_contribution()
    draft = versions.current_draft(db, consultation.id)
    target = next(s for s in versions.sections(db, draft.id) if s.key == "isee")
    versions.set_provenance(
        db,
        target,
        versions.Provenance(
            amendment_ids=(amendment.id,),
            meeting_comment_ids=(comment.id,),
            contribution_ids=(proposal.id,),
        ),
    )
    versions.publish(db, draft, note="Più aperture.", approve=False, actor_id=planner.id)
    assert version.status == "superata"
    found = {c.key: c for c in changes.compare(db, version, draft)}
    assert found["isee"].changed and not found["premessa"].changed
    assert [i.kind for i in found["isee"].inputs] == ["amendment", "meeting-comment", "proposal"]
    assert found["isee"].inputs[1].label == "Incontro di Cuneo"
    assert changes.versions_citing(db, contribution_id=proposal.id) == [draft]
    assert changes.versions_citing(db, amendment_id=amendment.id) == [draft]
    assert changes.versions_citing(db) == []


def test_a_draft_is_not_cited_before_it_is_published(db, consultation, first_version):
    _version, section, planner = first_version
    amendment = inputs.propose_amendment(db, section, text=AMENDED, author_id=None)
    inputs.decide(db, amendment, consultation, outcome="accolto", actor_id=planner.id)
    assert changes.versions_citing(db, amendment_id=amendment.id) == []
    assert len(db.exec(select(SectionInput)).all()) == 1


def test_a_dropped_section_shows_as_removed(db, consultation, first_version):
    version, _section, _planner = first_version
    draft = versions.start_draft(db, consultation, actor_id=None)
    governance = next(s for s in versions.sections(db, draft.id) if s.key == "governance")
    db.delete(governance)
    db.flush()
    found = {c.key: c for c in changes.compare(db, version, draft)}
    assert found["governance"].after is None


def test_unknown_proposal_numbers_are_reported(db, consultation, create_contribution):
    known = create_contribution()
    assert inputs.unknown_proposals(db, consultation.id, [known.id, 999_999]) == [999_999]
    assert inputs.unknown_proposals(db, consultation.id, []) == []


def test_the_word_diff_marks_removed_and_added_words():
    assert word_diff("aperto la sera.", "aperto anche la domenica.") == [
        Segment("equal", "aperto "),
        Segment("added", "anche "),
        Segment("equal", "la "),
        Segment("removed", "sera."),
        Segment("added", "domenica."),
    ]
    assert word_diff("", "") == []


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        "[x](javascript:alert(1))",
        '<img src=x onerror="alert(1)">',
        "<a href='javascript:alert(1)'>x</a>",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
    ],
)
def test_markdown_is_sanitised(source):
    html = str(render_markdown(source))
    assert "<script" not in html and "<img" not in html  # markup stays text
    assert re.search(r'href="?(javascript|data):', html) is None


def test_markdown_keeps_formatting_and_safe_links():
    html = str(render_markdown("## Titolo\n\n**forte** e [sito](https://regione.piemonte.it)"))
    assert "<h2>Titolo</h2>" in html and "<strong>forte</strong>" in html
    assert 'href="https://regione.piemonte.it"' in html and 'rel="nofollow' in html


def test_markdown_text_escapes_quotes_and_keeps_typed_entities():
    html = str(render_markdown('l\'ente "pubblico" &lt;b&gt; [x](https://a.it "ti>tolo")'))
    assert "l&#39;ente &#34;pubblico&#34;" in html
    assert "&amp;lt;b&amp;gt;" in html  # shown as typed, not turned into <b>
    assert 'href="https://a.it"' in html and "title" not in html


def test_a_retry_with_the_same_key_gets_the_same_amendment(db, first_version):
    _version, section, _planner = first_version
    key = "r" * 32
    first = inputs.propose_amendment(db, section, text=AMENDED, author_id=None, idempotency_key=key)
    again = inputs.propose_amendment(db, section, text=AMENDED, author_id=None, idempotency_key=key)
    other = inputs.propose_amendment(
        db, section, text="Un altro testo.", author_id=None, idempotency_key=key
    )
    assert again.id == first.id and other.id != first.id and other.idempotency_key is None
