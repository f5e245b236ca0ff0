"""Pages for a signed-in account are kept out of browser and proxy caches."""


def test_pages_for_a_signed_in_account_are_never_cached(client, auth, create_user, consultation):
    anonymous = client.get("/")
    assert "no-store" not in anonymous.headers.get("Cache-Control", "")
    auth.login(create_user(role="planner").email)
    page = client.get("/account")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "private, no-store"
