"""Pages for a signed-in account are kept out of browser and proxy caches."""


def test_pages_for_a_signed_in_account_are_never_cached(client, auth, create_user, consultation):
    anonymous = client.get("/")
    assert "no-store" not in anonymous.headers.get("Cache-Control", "")
    auth.login(create_user(role="planner").email)
    page = client.get("/account")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "private, no-store"


def test_anonymous_open_data_is_cacheable_and_revalidates(client, create_contribution):
    create_contribution()
    for url in ("/api/v1/objectives", "/api/v1/contributions", "/api/v1/objectives/isee"):
        first = client.get(url)
        assert first.status_code == 200
        assert first.headers["Cache-Control"] == "public, max-age=60"
        assert "Cookie" in first.headers["Vary"]
        again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304 and again.data == b""


def test_pages_with_a_form_token_or_an_account_are_not_publicly_cached(
    client, auth, create_user, consultation
):
    anonymous = client.get("/statistiche")  # carries the visitor's own CSRF token
    assert "public" not in anonymous.headers.get("Cache-Control", "")
    auth.login(create_user().email)
    for url in ("/statistiche", "/api/v1/objectives"):
        page = client.get(url)
        assert "public" not in page.headers.get("Cache-Control", "")
        assert "ETag" not in page.headers
