"""The planners' navigation (who may open each page: test_authorization_matrix)."""


def test_planner_nav_only_for_planners(client, auth, create_user, consultation):
    assert "/pianificazione/copertura" not in client.get("/").get_data(as_text=True)
    auth.login(create_user(role="facilitator").email)
    assert "/pianificazione/copertura" not in client.get("/").get_data(as_text=True)
    auth.logout()
    auth.login(create_user(role="planner").email)
    assert "/pianificazione/copertura" in client.get("/").get_data(as_text=True)
