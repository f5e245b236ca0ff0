from consult.framework import loader as frameworks
from tests.services.test_frameworks import PIEMONTE_CODES


def test_objectives_lists_the_eight_codes(client, db):
    frameworks.load(db, frameworks.bundled_path("piemonte-2018"))
    db.commit()
    payload = client.get("/api/v1/objectives").get_json()
    assert [o["code"] for o in payload["objectives"]] == PIEMONTE_CODES
    first = payload["objectives"][0]
    assert set(first) == {"code", "kind", "axis", "title", "description", "keywords"}


def test_consultation_and_territories(client, db):
    frameworks.load(db, frameworks.bundled_path("piemonte-2018"))
    db.commit()
    consultation = client.get("/api/v1/consultation").get_json()
    assert consultation["slug"] == "piemonte-2018"
    assert len(consultation["axes"]) == 5
    assert len(consultation["phases"]) == 3
    territories = client.get("/api/v1/territories").get_json()["territories"]
    torino_citta = next(t for t in territories if t["code"] == "torino-citta")
    assert torino_citta["parent"] == "torino"
    assert sum(t["kind"] == "province" for t in territories) == 8


def test_contributions_are_paginated_and_only_published(client, create_contribution):
    for index in range(5):
        create_contribution(text=f"Proposta pubblicata numero {index}", published_at=None)
    create_contribution(text="In attesa di moderazione", status="pending")
    create_contribution(text="Respinta", status="rejected")
    first = client.get("/api/v1/contributions?per_page=2").get_json()
    assert first["total"] == 5
    assert len(first["items"]) == 2
    assert first["next"].endswith("page=2&per_page=2")
    last = client.get("/api/v1/contributions?per_page=2&page=3").get_json()
    assert len(last["items"]) == 1
    assert last["next"] is None
    texts = {c["text"] for page in (first, last) for c in page["items"]}
    assert "In attesa di moderazione" not in texts and "Respinta" not in texts


def test_contributions_never_expose_private_fields(client, create_contribution, create_user):
    author = create_user()
    create_contribution(
        author_id=author.id,
        author_name="Maria Rossi",
        author_email="maria@example.org",
        idempotency_key="k-123",
    )
    body = client.get("/api/v1/contributions").get_data(as_text=True)
    for secret in ("Maria Rossi", "maria@example.org", "k-123", "tracking", "author"):
        assert secret not in body


def test_bad_pagination_gets_a_json_error(client, consultation):
    response = client.get("/api/v1/contributions?page=zero")
    assert response.status_code == 400
    payload = response.get_json()
    assert payload["status"] == 400
    assert "page" in payload["detail"]
    assert client.get("/api/v1/contributions?per_page=-1").status_code == 400


def test_api_without_a_consultation_is_404_json(client):
    response = client.get("/api/v1/objectives")
    assert response.status_code == 404
    assert response.get_json()["error"]


def test_keyset_pages_follow_the_numbered_pages(client, create_contribution):
    from datetime import UTC, datetime, timedelta

    start = datetime(2026, 3, 1, tzinfo=UTC)
    for index in range(7):
        create_contribution(
            text=f"Proposta {index}",
            published_at=None if index % 3 == 0 else start + timedelta(days=index % 2),
        )
    numbered = []
    for page in (1, 2, 3):
        body = client.get(f"/api/v1/contributions?per_page=3&page={page}").get_json()
        numbered += [c["id"] for c in body["items"]]
    keyset, url = [], "/api/v1/contributions?per_page=3"
    while url:
        body = client.get(url).get_json()
        keyset += [c["id"] for c in body["items"]]
        url = body["next_after"]
    assert keyset == numbered and len(set(keyset)) == 7
    assert client.get("/api/v1/contributions?after=nonsense").status_code == 400
    assert client.get("/api/v1/contributions?after=~1&sort=supported").status_code == 400
