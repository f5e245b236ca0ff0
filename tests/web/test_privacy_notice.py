"""The privacy notice comes from the consultation's data (GDPR art. 13); the footer links the
accessibility statement when one is configured."""


def test_the_notice_shows_the_consultations_controller_and_rights(client, db, consultation):
    page = client.get("/proposte/privacy").get_data(as_text=True)
    assert "Da completare a cura dell" in page  # nothing written yet: it says so
    assert 'data-privacy="example"' not in page
    consultation.privacy_controller = "Comune di Asti, piazza San Secondo 1"
    consultation.privacy_dpo = "rpd@comune.asti.it"
    consultation.privacy_legal_basis = "Art. 6, par. 1, lett. e) GDPR"
    consultation.privacy_example = True
    db.add(consultation)
    db.commit()
    page = client.get("/proposte/privacy").get_data(as_text=True)
    assert "Comune di Asti, piazza San Secondo 1" in page and "rpd@comune.asti.it" in page
    assert "Art. 6, par. 1, lett. e) GDPR" in page
    assert 'data-privacy="example"' in page
    assert "Garante per la protezione dei dati personali" in page and "art. 77 GDPR" in page
    assert "Consultazione di prova" in page


def test_the_demo_marks_its_notice_as_an_example(db, consultation):
    from consult.cli.demo import _example_privacy_notice

    _example_privacy_notice(db, consultation)
    assert consultation.privacy_example and "(esempio)" in consultation.privacy_controller
    consultation.privacy_controller, consultation.privacy_example = "Ente vero", False
    _example_privacy_notice(db, consultation)  # an administrator's notice is kept
    assert consultation.privacy_controller == "Ente vero"


def test_the_footer_links_the_accessibility_statement_when_configured(app, client, consultation):
    assert 'data-footer="accessibility"' not in client.get("/proposte").get_data(as_text=True)
    app.config["ACCESSIBILITY_URL"] = "https://form.agid.gov.it/view/esempio"
    page = client.get("/proposte").get_data(as_text=True)
    assert 'href="https://form.agid.gov.it/view/esempio" data-footer="accessibility"' in page
