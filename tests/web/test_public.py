from consult.framework import loader as frameworks
from tests.consultation_client import HERE


def _load_piemonte(db):
    frameworks.load(db, frameworks.bundled_path("piemonte-2018"))
    db.commit()


def test_home_presents_consultation_and_objectives_in_italian(client, db):
    _load_piemonte(db)
    response = client.get(f"{HERE}/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<html lang="it">' in page
    assert "Patto di sviluppo di comunità solidali" in page
    for title in (
        "Distretti della coesione sociale",
        "Servizio Civile Universale",
        "Integrazione socio-sanitaria",
        "Nuovo regolamento regionale sull&#39;ISEE",
    ):
        assert title in page
    assert page.count('class="card card-bg h-100 objective-card"') == 8
    assert "Obiettivi di sistema (trasversali)" in page


def test_language_switch_gives_english_and_goes_back(client, db):
    _load_piemonte(db)
    response = client.post("/lingua", data={"lang": "en", "next": "/api/v1/"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/api/v1/")
    page = client.get(f"{HERE}/").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "System (cross-cutting) objectives" in page


def test_browser_language_is_honoured_until_a_choice_is_made(client, db):
    _load_piemonte(db)
    page = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="en">' in page
    client.post("/lingua", data={"lang": "it"})
    page = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="it">' in page


def test_language_switch_refuses_unknown_languages_and_open_redirects(client):
    assert client.post("/lingua", data={"lang": "xx"}).status_code == 400
    response = client.post("/lingua", data={"lang": "en", "next": "https://evil.example/"})
    assert response.headers["Location"].endswith("/")
    assert "evil" not in response.headers["Location"]
    response = client.post("/lingua", data={"lang": "en", "next": "//evil.example/x"})
    assert "evil" not in response.headers["Location"]


def test_home_without_a_consultation_says_how_to_load_one(client):
    response = client.get("/")
    assert response.status_code == 503
    assert "consult framework load" in response.get_data(as_text=True)


def test_unknown_page_gets_an_italian_404(client):
    response = client.get("/non-esiste")
    assert response.status_code == 404
    assert "La pagina che cerchi non esiste." in response.get_data(as_text=True)


def test_security_headers_and_strict_csp(client):
    response = client.get("/non-esiste")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_missing_csrf_token_is_refused_in_italian(csrf_app):
    client = csrf_app.test_client()
    response = client.post("/lingua", data={"lang": "en"})
    assert response.status_code == 400
    assert "ricarica la pagina e riprova" in response.get_data(as_text=True)


def test_english_pages_format_dates_the_british_way(app, client):
    from datetime import date

    from flask_babel import format_date

    client.post("/lingua", data={"lang": "en"})
    assert '<html lang="en">' in client.get("/proposte/privacy").get_data(as_text=True)
    with app.test_request_context(headers={"Accept-Language": "en-GB"}):
        assert format_date(date(2026, 12, 3), "short") == "03/12/2026"
