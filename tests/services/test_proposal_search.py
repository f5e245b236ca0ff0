"""Finding proposals: Italian stemming on both engines, filters, sorting, and index sync."""

import pytest
from sqlalchemy import text
from sqlmodel import select

from consult.analysis.models import ObjectiveMapping
from consult.framework.models import Objective, Territory
from consult.meetings.models import Meeting
from consult.proposals import search_index
from consult.proposals.models import Support
from consult.proposals.search import ProposalFilters, search


def ids(db, consultation, **filters) -> list[int]:
    page = search(db, consultation, ProposalFilters(**filters), page=1, per_page=50)
    return [c.id for c in page.items]


def test_italian_terms_stem_inflections_and_drop_function_words():
    # The Snowball stemmer is the one PostgreSQL's `italian` configuration uses.
    assert search_index.italian_terms("Le famiglie") == search_index.italian_terms("famiglia")
    assert search_index.italian_terms("per la città") == search_index.italian_terms("città")


def test_search_finds_other_inflections_of_the_same_word(db, consultation, create_contribution):
    elderly = create_contribution(text="Più posti nei centri diurni per gli anziani.")
    nursery = create_contribution(text="Asili nido gratuiti.", title="Per le famiglie")
    assert ids(db, consultation, q="centro diurno") == [elderly.id]
    assert ids(db, consultation, q="Città più accessibile: centri DIURNI") == []
    assert ids(db, consultation, q="famiglia") == [nursery.id]  # the title counts too
    assert ids(db, consultation, q="trasporti") == []


@pytest.mark.parametrize(
    ("stored", "asked"),
    [
        ("Servono più servizi per gli anziani soli.", "anziano"),
        ("Un anziano solo non sa a chi chiedere aiuto.", "anziani"),
        ("Una anziana sola ha bisogno di compagnia.", "anziani"),
        ("Mancano case popolari in tutta la provincia.", "casa popolare"),
        ("Una casa popolare per ogni famiglia sfrattata.", "case popolari"),
        ("Le amiche del quartiere aiutano le madri sole.", "amica"),
        ("Servono parchi giochi accessibili.", "parco"),
    ],
)
def test_one_form_of_a_word_finds_the_others(db, consultation, create_contribution, stored, asked):
    found = create_contribution(text=stored)
    create_contribution(text="Trasporti a chiamata nelle valli.")
    assert ids(db, consultation, q=asked) == [found.id]


def test_every_word_of_the_query_must_match(db, consultation, create_contribution):
    create_contribution(text="Mancano case in affitto.")
    both = create_contribution(text="Mancano case popolari.")
    assert ids(db, consultation, q="casa popolare") == [both.id]
    assert sorted(ids(db, consultation, q="di la per")) == sorted(ids(db, consultation))


def test_search_ignores_unpublished_and_follows_edits(db, consultation, create_contribution):
    pending = create_contribution(text="Sportello unico per il welfare.", status="pending")
    assert ids(db, consultation, q="sportello") == []
    pending.status = "published"
    pending.text = "Servono educatori di strada."
    db.add(pending)
    db.commit()
    assert ids(db, consultation, q="sportello") == []
    assert ids(db, consultation, q="educatore") == [pending.id]
    db.delete(pending)
    db.commit()
    assert ids(db, consultation, q="educatore") == []


def test_rows_written_without_the_orm_are_indexed_before_searching(db, consultation):
    if db.get_bind().dialect.name != "sqlite":
        pytest.skip("PostgreSQL indexes by expression: nothing to catch up")
    db.exec(
        text(
            "INSERT INTO contribution (consultation_id, title, text, channel, status, highlighted,"
            " discussed, tracking_token, provenance, created_at, updated_at)"
            " VALUES (:c, '', 'Più mediatori culturali nei consultori.', 'import', 'published',"
            " 0, 0, 'raw-token', '{}', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
        ).bindparams(c=consultation.id)
    )
    db.commit()
    assert len(ids(db, consultation, q="mediatore culturale")) == 1


def test_filters_by_territory_including_the_areas_below(db, consultation, create_contribution):
    torino = db.exec(select(Territory).where(Territory.code == "torino")).one()
    ambito = Territory(
        framework_id=torino.framework_id,
        code="torino-nord",
        name="Torino Nord",
        kind="ambito",
        parent_id=torino.id,
    )
    db.add(ambito)
    db.commit()
    in_province = create_contribution(territory_id=torino.id)
    in_ambito = create_contribution(territory_id=ambito.id)
    create_contribution()
    assert set(ids(db, consultation, territory="torino")) == {in_province.id, in_ambito.id}
    assert ids(db, consultation, territory="torino-nord") == [in_ambito.id]
    assert ids(db, consultation, territory="atlantide") == []


def test_filters_by_objective_suggested_or_mapped(
    db, consultation, create_contribution, create_current_theme
):
    objective = db.exec(select(Objective).where(Objective.code == "abitare")).one()
    suggested = create_contribution(suggested_objective_id=objective.id)
    mapped = create_contribution()
    db.add(ObjectiveMapping(contribution_id=mapped.id, objective_id=objective.id))
    via_theme = create_contribution()
    theme = create_current_theme(members=[via_theme])
    db.add(ObjectiveMapping(theme_id=theme.id, objective_id=objective.id))
    db.commit()
    create_contribution()
    found = set(ids(db, consultation, objective="abitare"))
    assert found == {suggested.id, mapped.id, via_theme.id}


def test_filters_by_theme_channel_and_meeting(
    db, consultation, create_contribution, create_current_theme
):
    meeting = Meeting(consultation_id=consultation.id, title="Incontro di Cuneo")
    db.add(meeting)
    db.commit()
    themed = create_contribution()
    create_current_theme(members=[themed], stable_key="centri-diurni")
    on_paper = create_contribution(channel="paper", meeting_id=meeting.id)
    assert ids(db, consultation, theme="centri-diurni") == [themed.id]
    assert ids(db, consultation, channel="paper") == [on_paper.id]
    assert ids(db, consultation, meeting=meeting.id) == [on_paper.id]


def test_sorts_by_most_supported_and_pages(db, consultation, create_contribution):
    quiet, popular, liked = (create_contribution(text=f"Proposta {n}") for n in range(3))
    for token in ("a", "b", "c"):
        db.add(Support(contribution_id=popular.id, browser_token=token))
    db.add(Support(contribution_id=liked.id, browser_token="a"))
    db.commit()
    assert ids(db, consultation, sort="sostenute") == [popular.id, liked.id, quiet.id]
    page = search(db, consultation, ProposalFilters(sort="sostenute"), page=2, per_page=2)
    assert [c.id for c in page.items] == [quiet.id]
    assert (page.total, page.pages, page.has_previous, page.has_next) == (3, 2, True, False)
    assert page.supports == {}
