"""Open data: themes, responses and objective figures; nothing private ever appears."""

import json

import pytest


@pytest.fixture
def seeded(
    create_contribution,
    create_analysis,
    create_theme,
    create_response,
    create_user,
    objectives,
    territories,
    map_contribution,
):
    planner = create_user(
        role="planner", email="pianificatrice.segreta@example.org", display_name="Paola Segreta"
    )
    author = create_user(email="autore.segreto@example.org")
    old = create_analysis(is_current=False)
    create_theme(old, label="tema vecchio", stable_key="vecchio")
    run = create_analysis()
    proposals = [
        create_contribution(
            text="Casa per tutti",
            territory_id=territories["torino"].id,
            author_id=author.id,
            author_name="Mario Privato",
            author_email="mario.privato@example.org",
            idempotency_key="idem-x",
        ),
        create_contribution(
            text="Affitti bassi", territory_id=territories["cuneo"].id, channel="paper"
        ),
        create_contribution(
            text="Non pubblicata", territory_id=territories["cuneo"].id, status="pending"
        ),
    ]
    casa = create_theme(
        run,
        label="casa affitti",
        custom_label="Casa",
        members=proposals,
        objectives=[(objectives["abitare"], 0.83), (objectives["isee"], 0.1)],
        stable_key="casa",
        keywords=["casa", "affitto"],
    )
    create_theme(run, label="scartato", stable_key="scarto", status="discarded")
    create_theme(run, label="valli", stable_key="valli", confirmed=[None])
    map_contribution(proposals[1], objectives["isee"], source="planner")
    create_response(theme_stable_key="casa", text="Risposta sul tema", author_id=planner.id)
    create_response(
        objective_id=objectives["abitare"].id, text="Risposta sull'obiettivo", status="attuata"
    )
    create_response(contribution_id=proposals[0].id, text="Bozza privata", published=False)
    return {"proposals": proposals, "casa": casa}


def test_themes_are_the_current_runs_live_themes(client, seeded):
    themes = client.get("/api/v1/themes").get_json()["themes"]
    assert [t["stable_key"] for t in themes] == ["casa", "valli"]
    casa = themes[0]
    assert casa["label"] == "Casa" and casa["keywords"] == ["casa", "affitto"]
    assert casa["size"] == 3 and casa["id"] == seeded["casa"].id
    assert casa["objectives"] == [{"code": "abitare", "confidence": 0.83, "source": "model"}]
    assert themes[1]["off_strategy"] is True
    assert themes[1]["objectives"][0]["code"] == "fuori-strategia"


def test_responses_are_published_only_with_targets(client, seeded):
    items = client.get("/api/v1/responses").get_json()["responses"]
    assert [r["text"] for r in items] == ["Risposta sull'obiettivo", "Risposta sul tema"]
    assert items[0]["target"] == {"theme": None, "objective": "abitare", "contribution": None}
    assert items[0]["status"] == "attuata" and items[0]["published_at"]
    assert items[1]["target"]["theme"] == "casa"


def test_objective_counts_agree_with_the_matrix_rule(client, seeded):
    abitare = client.get("/api/v1/objectives/abitare").get_json()
    assert abitare["objective"]["code"] == "abitare"
    # proposal 0 via its theme; proposal 1 is confirmed onto isee by a planner; 2 is pending
    assert abitare["counts"]["total"] == 1
    assert abitare["counts"]["by_territory"] == {"cuneo": 0, "torino": 1}
    assert [t["stable_key"] for t in abitare["themes"]] == ["casa"]
    assert {r["text"] for r in abitare["responses"]} == {
        "Risposta sul tema",
        "Risposta sull'obiettivo",
    }
    isee = client.get("/api/v1/objectives/isee").get_json()
    assert isee["counts"]["by_channel"]["paper"] == 1 and isee["counts"]["total"] == 1
    off = client.get("/api/v1/objectives/fuori-strategia").get_json()
    assert [t["stable_key"] for t in off["themes"]] == ["valli"]
    assert client.get("/api/v1/objectives/nessuno").status_code == 404


def test_nothing_private_in_any_endpoint(client, seeded):
    secrets = [
        "Mario Privato",
        "mario.privato@example.org",
        "autore.segreto@example.org",
        "pianificatrice.segreta@example.org",
        "Paola Segreta",
        "idem-x",
        "Bozza privata",
        "Non pubblicata",
        *[p.tracking_token for p in seeded["proposals"]],
    ]
    for path in (
        "/api/v1/themes",
        "/api/v1/responses",
        "/api/v1/objectives/abitare",
        "/api/v1/objectives/fuori-strategia",
        "/api/v1/",
    ):
        body = json.dumps(client.get(path).get_json())
        for secret in secrets:
            assert secret not in body, (path, secret)
        assert "author" not in body and "email" not in body and "token" not in body


def test_index_links_the_new_endpoints(client, consultation):
    index = client.get("/api/v1/").get_json()
    assert index["themes"].endswith("/api/v1/themes")
    assert index["responses"].endswith("/api/v1/responses")


def test_no_analysis_yet_gives_empty_lists(client, consultation):
    assert client.get("/api/v1/themes").get_json() == {"themes": []}
    assert client.get("/api/v1/responses").get_json() == {"responses": []}
