"""Submitting a proposal: the full flow, idempotency, and every bad input refused cleanly."""

import html
import re

import pytest
from sqlmodel import func, select

from consult.common.models import AuditLog
from consult.proposals import services as proposals
from consult.proposals.models import Contribution
from tests.consultation_client import HERE

KEY = "k" * 32


def form_data(**overrides) -> dict:
    data = {
        "text": "Servono più educatori nei centri diurni per i ragazzi con disabilità.",
        "title": "",
        "territory": "torino",
        "role": "operatore-sociale",
        "objective": "",
        "name": "",
        "email": "",
        "consent": "y",
        "idempotency_key": KEY,
    }
    data.update(overrides)
    return data


def stored(db) -> int:
    return db.exec(select(func.count()).select_from(Contribution)).one()


def test_anonymous_proposal_full_flow(client, db, consultation):
    form = client.get("/proposte/nuova")
    assert form.status_code == 200
    page = form.get_data(as_text=True)
    key = re.search(r'name="idempotency_key" type="hidden" value="([^"]+)"', page).group(1)
    assert 'hx-trigger="keyup changed delay:500ms"' in page

    response = client.post("/proposte/nuova", data=form_data(idempotency_key=key))
    assert response.status_code == 303
    receipt_url = response.headers["Location"]
    contribution = db.exec(select(Contribution)).one()
    assert contribution.status == "published" and contribution.channel == "online"
    assert contribution.author_id is None and contribution.author_email is None
    assert contribution.consent_at is not None and contribution.published_at is not None
    assert len(contribution.tracking_token) >= 43
    assert receipt_url.endswith(f"/traccia/{contribution.tracking_token}/ricevuta")

    receipt = client.get(receipt_url)
    tracking_url = f"http://localhost{HERE}/traccia/{contribution.tracking_token}"
    assert tracking_url in receipt.get_data(as_text=True)
    assert receipt.headers["Referrer-Policy"] == "no-referrer"
    tracking = client.get(tracking_url)
    assert tracking.status_code == 200
    assert "Servono più educatori" in tracking.get_data(as_text=True)
    assert "noindex" in tracking.headers["X-Robots-Tag"]

    assert "Servono più educatori" in client.get("/proposte").get_data(as_text=True)
    items = client.get("/api/v1/contributions").get_json()["items"]
    assert [i["text"] for i in items] == [contribution.text]
    assert items[0]["territory"] == "torino" and items[0]["supports"] == 0


def test_optional_fields_and_logged_in_author_are_stored(
    client, db, auth, create_user, consultation
):
    user = create_user()
    auth.login(user.email)
    response = client.post(
        "/proposte/nuova",
        data=form_data(
            title="Educatori", objective="abitare", name="Anna", email="Anna@Example.org"
        ),
    )
    assert response.status_code == 303
    contribution = db.exec(select(Contribution)).one()
    assert contribution.author_id == user.id
    assert (contribution.title, contribution.author_name) == ("Educatori", "Anna")
    assert contribution.author_email == "anna@example.org"
    assert contribution.suggested_objective_id is not None
    audit = db.exec(select(AuditLog)).one()
    assert audit.action == "contribution.submitted" and audit.actor_id == user.id


def test_premoderation_keeps_online_proposals_pending(app, client, db, consultation):
    app.config["ONLINE_PREMODERATION"] = True
    client.post("/proposte/nuova", data=form_data())
    contribution = db.exec(select(Contribution)).one()
    assert contribution.status == "pending" and contribution.published_at is None
    assert client.get(f"/proposte/{contribution.id}").status_code == 404
    assert client.get("/api/v1/contributions").get_json()["total"] == 0
    tracking = client.get(f"/traccia/{contribution.tracking_token}").get_data(as_text=True)
    assert "In attesa di verifica" in tracking


def test_double_submit_with_one_key_stores_one_row(client, db, consultation):
    first = client.post("/proposte/nuova", data=form_data())
    second = client.post("/proposte/nuova", data=form_data())
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert stored(db) == 1


def test_reused_key_with_new_text_is_a_new_proposal(client, db, consultation):
    client.post("/proposte/nuova", data=form_data())
    other = client.post("/proposte/nuova", data=form_data(text="Un'altra proposta, diversa."))
    assert other.status_code == 303
    assert stored(db) == 2


def test_concurrent_duplicate_hits_the_unique_constraint_and_shows_the_winner(
    client, db, consultation, monkeypatch
):
    client.post("/proposte/nuova", data=form_data())
    winner = db.exec(select(Contribution)).one()
    original = proposals.by_idempotency_key
    calls = []

    def not_yet_visible(session, consultation_id, key):
        calls.append(key)
        return None if len(calls) == 1 else original(session, consultation_id, key)

    monkeypatch.setattr(proposals, "by_idempotency_key", not_yet_visible)
    response = client.post("/proposte/nuova", data=form_data())
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/traccia/{winner.tracking_token}/ricevuta")
    assert len(calls) == 2
    assert stored(db) == 1


def test_missing_or_tampered_idempotency_key_gets_a_fresh_one(client, db, consultation):
    client.post("/proposte/nuova", data=form_data(idempotency_key=""))
    client.post("/proposte/nuova", data=form_data(idempotency_key="<bad key>"))
    keys = db.exec(select(Contribution.idempotency_key)).all()
    assert len(keys) == 2 and all(re.fullmatch(r"[\w-]{16,64}", k) for k in keys)


BAD_INPUTS = [
    ("empty", {"text": ""}, "Scrivi la tua proposta."),
    ("whitespace", {"text": " \n\t   \u200b  "}, "Scrivi la tua proposta."),
    ("too short", {"text": "Più asili"}, "La proposta è troppo corta"),
    ("too long", {"text": "Parola " * 300}, "La proposta è troppo lunga"),
    ("only emoji", {"text": "🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂"}, "non solo simboli o emoji"),
    ("only symbols", {"text": "!!! ??? 123 456 ..."}, "non solo simboli o emoji"),
    ("unknown territory", {"territory": "atlantide"}, "Scegli un territorio dell'elenco."),
    ("no territory", {"territory": ""}, "Scegli il tuo territorio."),
    ("unknown role", {"role": "re"}, "Scegli una voce dell'elenco."),
    ("unknown objective", {"objective": "luna"}, "Scegli un obiettivo dell'elenco."),
    ("bad e-mail", {"email": "anna@"}, "Controlla l'e-mail"),
    ("no consent", {"consent": ""}, "devi accettare l'informativa"),
    ("title too long", {"title": "T" * 201}, "al massimo 200 caratteri"),
]


@pytest.mark.parametrize(("case", "changes", "message"), BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS])
def test_bad_input_is_refused_with_a_message_and_nothing_stored(
    client, db, consultation, case, changes, message
):
    data = form_data(name="Giulia", **changes)
    response = client.post("/proposte/nuova", data=data)
    assert response.status_code == 422, case
    page = html.unescape(response.get_data(as_text=True))
    assert message in page
    assert 'id="error-summary"' in page and 'role="alert"' in page
    assert 'value="Giulia"' in page  # what was typed is kept
    assert f'value="{KEY}"' in page  # and so is the idempotency key
    assert stored(db) == 0


def test_refused_text_is_kept_escaped(client, db, consultation):
    response = client.post("/proposte/nuova", data=form_data(consent="", text="<b>Più</b> asili!"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "&lt;b&gt;Più&lt;/b&gt; asili!" in page and "<b>Più</b>" not in page


def test_html_and_script_are_stored_as_text_and_shown_escaped(client, db, consultation):
    text = "<script>alert('x')</script> Più asili nido <b>gratuiti</b>"
    client.post("/proposte/nuova", data=form_data(text=text, title="<i>Asili</i>"))
    contribution = db.exec(select(Contribution)).one()
    assert contribution.text == text
    for url in (
        f"/proposte/{contribution.id}",
        "/proposte",
        f"/traccia/{contribution.tracking_token}",
    ):
        page = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in page and "<i>Asili</i>" not in page, url
        assert "&lt;script&gt;" in page or "&lt;i&gt;Asili&lt;/i&gt;" in page, url
    api = client.get("/api/v1/contributions")
    assert "<script>" not in api.get_data(as_text=True)
    assert "\\u003cscript\\u003e" in api.get_data(as_text=True)
    assert api.get_json()["items"][0]["text"] == text


def test_control_characters_are_removed_and_text_normalised(client, db, consultation):
    decomposed = "Citta\u0300 piu\u0300 accessibile\u0000 per tutti\u202e"
    client.post("/proposte/nuova", data=form_data(text=decomposed))
    assert db.exec(select(Contribution.text)).one() == "Città più accessibile per tutti"


def test_error_messages_are_in_english_when_the_ui_is(client, db, consultation):
    client.post("/lingua", data={"lang": "en"})
    response = client.post("/proposte/nuova", data=form_data(text="short"))
    assert response.status_code == 422
    assert "The proposal is too short" in response.get_data(as_text=True)
    assert stored(db) == 0


def test_missing_csrf_token_keeps_the_text_and_stores_nothing(csrf_app, db, consultation):
    client = csrf_app.test_client()
    response = client.post("/proposte/nuova", data=form_data(name="Giulia"))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "La sessione è scaduta" in page
    assert "Servono più educatori" in page and 'value="Giulia"' in page
    assert 'name="csrf_token"' in page  # a fresh token: pressing send again works
    assert stored(db) == 0


def test_missing_csrf_token_is_refused_on_other_posts_too(csrf_app, db, create_contribution):
    contribution = create_contribution()
    client = csrf_app.test_client()
    response = client.post(f"/proposte/{contribution.id}/sostieni")
    assert response.status_code == 400
    assert "La sessione è scaduta" in response.get_data(as_text=True)


def test_a_one_megabyte_body_is_refused_in_italian(client, db, consultation):
    response = client.post("/proposte/nuova", data=form_data(text="a" * 1024 * 1024))
    assert response.status_code == 413
    assert "Il contenuto inviato è troppo grande." in response.get_data(as_text=True)
    assert stored(db) == 0


def test_the_longest_proposal_in_four_byte_characters_fits_the_body_limit(client, db, consultation):
    text = "Più 𝒜 " + "𝒜" * 1994
    response = client.post("/proposte/nuova", data=form_data(text=text, title="𝒜" * 200))
    assert response.status_code == 303
    assert stored(db) == 1


def test_comment_bodies_are_limited_too(client, create_contribution):
    contribution = create_contribution()
    response = client.post(f"/proposte/{contribution.id}/commenti", data={"text": "a" * 100_000})
    assert response.status_code == 413


def test_inline_validation_answers_one_field(client, consultation):
    response = client.post(
        "/proposte/nuova/verifica?campo=text", data=form_data(text="corto", email="x@")
    )
    assert response.status_code == 422
    assert response.get_data(as_text=True).strip() == (
        "La proposta è troppo corta: almeno 10 caratteri."
    )
    assert client.post("/proposte/nuova/verifica?campo=text", data=form_data()).status_code == 200
    assert client.post("/proposte/nuova/verifica?campo=csrf_token", data={}).status_code == 400


def test_similar_proposals_are_offered_while_typing(client, create_contribution):
    similar = create_contribution(text="Servono più posti nei centri diurni per anziani.")
    create_contribution(text="Il trasporto pubblico nelle valli va potenziato.")
    hidden = create_contribution(
        text="Servono più posti nei centri diurni per anziani!", status="pending"
    )
    response = client.get(
        "/proposte/simili", query_string={"text": "più posti centri diurni anziani"}
    )
    page = response.get_data(as_text=True)
    assert f"/proposte/{similar.id}" in page and "Sostieni questa proposta" in page
    assert "<form" not in page  # it is shown inside the proposal form: forms cannot nest
    assert "trasporto pubblico" not in page and f"/proposte/{hidden.id}" not in page
    assert client.get("/proposte/simili?text=ciao").get_data(as_text=True).strip() == ""


@pytest.mark.rate_limited
def test_submitting_is_rate_limited(client, db, consultation):
    statuses = [
        client.post("/proposte/nuova", data=form_data(idempotency_key=f"key-{i:020d}")).status_code
        for i in range(11)
    ]
    assert statuses[:10] == [303] * 10
    assert statuses[10] == 429
    assert stored(db) == 10
