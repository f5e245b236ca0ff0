"""'Le mie proposte' on the account page, and a login that returns where the person was."""

import re
from urllib.parse import urlsplit

from consult.common.models import utcnow
from tests.consultation_client import HERE


def _mine(page: str) -> str:
    start = page.index('id="proposals-title"')
    return page[start : page.index("</section>", start)]


def test_the_account_page_lists_the_accounts_proposals_with_status_and_answers(
    client, auth, create_user, create_contribution, create_response
):
    user = create_user(email="ada@example.org", email_verified_at=utcnow())
    written = create_contribution(
        text="Scritta dal mio account, già pubblicata.", author_id=user.id
    )
    waiting = create_contribution(
        text="Scritta dal mio account, in attesa.", author_id=user.id, status="pending"
    )
    signed = create_contribution(
        text="Firmata con il mio indirizzo, senza account.", author_email="ADA@example.org"
    )
    create_contribution(text="Di qualcun altro.", author_email="bea@example.org")
    create_response(contribution_id=written.id, text="Accolta.")
    auth.login("ada@example.org")
    mine = _mine(client.get("/account").get_data(as_text=True))
    assert "Scritta dal mio account, già pubblicata." in mine and "Pubblicata" in mine
    assert "Scritta dal mio account, in attesa." in mine and "In attesa di moderazione" in mine
    assert "Firmata con il mio indirizzo" in mine and "Di qualcun altro" not in mine
    assert mine.count("Con risposta</span>") == 1
    for proposal in (written, waiting, signed):
        assert f"/traccia/{proposal.tracking_token}" in mine
    assert f'href="{HERE}/proposte/{written.id}"' in mine
    assert f'href="{HERE}/proposte/{waiting.id}"' not in mine


def test_an_unverified_address_lists_only_what_the_account_wrote(
    client, auth, create_user, create_contribution
):
    user = create_user(email="eve@example.org")  # never verified
    create_contribution(text="Firmata da Eve con il suo indirizzo.", author_email="eve@example.org")
    auth.login("eve@example.org")
    mine = _mine(client.get("/account").get_data(as_text=True))
    assert "Firmata da Eve" not in mine and "Non hai ancora proposte" in mine
    create_contribution(text="Scritta da Eve dal suo account.", author_id=user.id)
    assert "Scritta da Eve dal suo account." in _mine(client.get("/account").get_data(as_text=True))


def test_login_returns_to_the_page_the_person_came_from_and_only_on_this_site(
    client, create_user, create_contribution
):
    create_user(email="ada@example.org")
    proposal = create_contribution()
    page = client.get(f"/proposte/{proposal.id}").get_data(as_text=True)
    login_link = re.search(r'href="(/account/accedi\?next=[^"]+)"', page).group(1)
    assert login_link == f"/account/accedi?next={HERE}/proposte/{proposal.id}"
    form = {"email": "ada@example.org", "password": "secret-password"}
    response = client.post(login_link, data=form)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/proposte/{proposal.id}")
    client.post("/account/esci")
    for hostile in ("https://elsewhere.example/x", "//elsewhere.example", "/\\elsewhere.example"):
        response = client.post("/account/accedi", query_string={"next": hostile}, data=form)
        assert response.status_code == 302
        location = urlsplit(response.headers["Location"])
        assert location.netloc in ("", "localhost") and not location.path.startswith("//")
        client.post("/account/esci")
