"""Public pages in a real browser: content and language (key pages: test_accessibility)."""

from playwright.sync_api import expect


def test_home_shows_the_eight_objectives_in_italian(phone, base_url, screenshot, axe):
    phone.goto(base_url + "/c/piemonte-2018/")
    assert phone.locator("html").get_attribute("lang") == "it"
    assert phone.locator(".objective-card").count() == 8
    screenshot(phone, "home-phone")
    assert axe(phone) == []


def test_language_switch_to_english(desktop, base_url, screenshot):
    desktop.goto(base_url + "/c/piemonte-2018/")
    desktop.get_by_role("button", name="English").click()
    expect(desktop.locator("html")).to_have_attribute("lang", "en")
    expect(desktop.get_by_role("heading", name="System (cross-cutting) objectives")).to_be_visible()
    screenshot(desktop, "home-english")


def test_login_form_works_with_the_keyboard_alone(desktop, base_url):
    desktop.goto(base_url + "/account/accedi")
    desktop.get_by_label("E-mail").focus()
    desktop.keyboard.type("pianificatore@example.org")
    desktop.keyboard.press("Tab")
    desktop.keyboard.type("consult-demo")
    desktop.keyboard.press("Enter")
    expect(desktop.get_by_role("button", name="Esci")).to_be_visible()
