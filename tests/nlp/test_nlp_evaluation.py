"""Evaluation helpers used by the CLI commands."""

import textwrap

from nlp import (
    evaluate_mapping,
    evaluate_themes,
    npmi_coherence,
    read_framework,
    read_labeled_csv,
    topic_diversity,
)


def test_read_framework_yaml(tmp_path):
    path = tmp_path / "f.yaml"
    path.write_text(
        textwrap.dedent("""\
        code: x
        objectives:
          - code: casa
            kind: sectoral
            title: Abitare
            description: >-
              Politiche per
              la casa
            keywords: [affitto, alloggi]
    """),
        "utf-8",
    )
    [spec] = read_framework(path)
    assert spec.code == "casa" and spec.description == "Politiche per la casa"
    assert spec.keywords == ("affitto", "alloggi")


def test_read_labeled_csv_with_multiline_texts(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text('titolo,descr,cat\n"Uno","riga\nseconda",A\nDue,,B\n', "utf-8")
    texts, labels = read_labeled_csv(path, text_columns=("titolo", "descr"), label_column="cat")
    assert texts == ["Uno. riga\nseconda", "Due"]
    assert labels == ["A", "B"]


def test_coherence_and_diversity():
    docs = ["casa affitto", "casa affitto sfratto", "anziano cura", "anziano cura"]
    assert npmi_coherence([["casa", "affitto"]], docs) > npmi_coherence([["casa", "cura"]], docs)
    assert topic_diversity([["a", "b"], ["a", "c"]]) == 0.75


def test_evaluate_themes_and_mapping(corpus, objectives):
    texts, labels = corpus
    report = evaluate_themes(texts, labels, encoder_name="use", seed=1)
    assert {
        "documents",
        "themes",
        "outlier_share",
        "nmi",
        "ari",
        "npmi_coherence",
        "topic_diversity",
        "fit_seconds",
    } <= set(report)
    assert report["documents"] == 48 and report["nmi"] > 0.5
    gold = [{"anziani": "socio-sanitario", "civile": "servizio-civile"}.get(x, x) for x in labels]
    mapping = evaluate_mapping(texts, gold, objectives, encoder_name="use", seed=1)
    assert mapping["n"] == 48 and mapping["macro_f1"] > 0.7
    assert set(mapping["per_objective_f1"]) == {o.code for o in objectives}
