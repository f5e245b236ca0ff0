"""`consult nlp evaluate` and `consult nlp map-objectives` on tiny CSVs with the LSA encoder."""

import csv
import json

import pytest

ROWS = [
    ("Servono più alloggi popolari e case in affitto a canone sociale.", "abitare"),
    ("Troppi sfratti: serve un fondo per la morosità incolpevole e più case.", "abitare"),
    ("Case popolari vuote da ristrutturare e assegnare alle famiglie.", "abitare"),
    ("Emergenza abitativa: alloggi temporanei per chi perde la casa.", "abitare"),
    ("Il regolamento ISEE deve essere uguale in tutti i comuni.", "isee"),
    ("Soglie ISEE e tariffe dei servizi diverse da comune a comune: serve equità.", "isee"),
    ("Compartecipazione alla spesa calcolata con criteri ISEE uniformi.", "isee"),
    ("L'ISEE regionale dovrebbe considerare il patrimonio in modo omogeneo.", "isee"),
    ("Riparare le buche della strada provinciale.", "fuori-strategia"),
]


@pytest.fixture
def labelled_csv(tmp_path):
    path = tmp_path / "proposte.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "testo", "etichetta"])
        for index, (text, label) in enumerate(ROWS):
            writer.writerow([index, text, label])
    return path


def test_map_objectives_prints_accuracy_and_macro_f1_as_json(runner, labelled_csv):
    result = runner.invoke(
        args=[
            "nlp",
            "map-objectives",
            str(labelled_csv),
            "--text-column",
            "testo",
            "--label-column",
            "etichetta",
            "--encoder",
            "lsa",
            "--json",
        ]
    )
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output.strip().splitlines()[-1])
    assert figures["n"] == len(ROWS)
    assert 0.0 <= figures["macro_f1"] <= 1.0 and 0.0 <= figures["accuracy"] <= 1.0
    assert "abitare" in figures["per_objective_f1"]


def test_evaluate_prints_theme_figures_as_json(runner, labelled_csv):
    result = runner.invoke(
        args=[
            "nlp",
            "evaluate",
            str(labelled_csv),
            "--text-column",
            "testo",
            "--label-column",
            "etichetta",
            "--encoder",
            "lsa",
            "--json",
        ]
    )
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output.strip().splitlines()[-1])
    for key in (
        "documents",
        "themes",
        "outlier_share",
        "nmi",
        "ari",
        "npmi_coherence",
        "topic_diversity",
        "coherence",  # within-theme similarity, per run
        "flagged_share",
        "name_occurrence_share",
        "fit_seconds",
    ):
        assert key in figures
    assert all("coherence" in t and "flagged" in t for t in figures["theme_details"])
    assert figures["documents"] == len(ROWS)


def test_missing_column_and_unknown_encoder_get_clear_errors(runner, labelled_csv):
    result = runner.invoke(
        args=[
            "nlp",
            "evaluate",
            str(labelled_csv),
            "--text-column",
            "text",
            "--label-column",
            "x",
        ]
    )
    assert result.exit_code == 2
    assert "has no column text, x" in result.output
    result = runner.invoke(
        args=[
            "nlp",
            "map-objectives",
            str(labelled_csv),
            "--text-column",
            "testo",
            "--label-column",
            "etichetta",
            "--encoder",
            "nessuno",
        ]
    )
    assert result.exit_code == 2
    assert "nessuno" in result.output


def test_learning_curve_ends_with_one_json_object_per_budget(runner, labelled_csv):
    result = runner.invoke(
        args=[
            "nlp",
            "learning-curve",
            str(labelled_csv),
            "--text-column",
            "testo",
            "--label-column",
            "etichetta",
            "--encoder",
            "lsa",
            "--budgets",
            "0,2",
            "--json",
        ]
    )
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output.strip().splitlines()[-1])
    budgets = [point["budget"] for point in figures["points"]]
    assert budgets == [0, 2]
    assert all("macro_f1" in point for point in figures["points"])


def test_learning_curve_refuses_budgets_that_are_not_numbers(runner, labelled_csv):
    result = runner.invoke(
        args=["nlp", "learning-curve", str(labelled_csv), "--text-column", "testo",
              "--label-column", "etichetta", "--budgets", "molti"]
    )  # fmt: skip
    assert result.exit_code == 2
    assert "--budgets" in result.output
