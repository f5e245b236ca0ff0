"""`consult nlp ...`: measure theme modelling and objective mapping on a labelled CSV."""

import json
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

THEME_FIGURES = (
    "documents", "themes", "outlier_share", "nmi", "ari", "npmi_coherence", "topic_diversity",
    "coherence", "flagged_share", "name_occurrence_share", "fit_seconds",
)  # fmt: skip
MAPPING_FIGURES = ("n", "accuracy", "macro_f1")


@click.group("nlp", help="Evaluate the Italian theme model and the objective mapping offline.")
def nlp_group() -> None:
    pass


def _common(command):
    command = click.option(
        "--json", "as_json", is_flag=True, help="End with one JSON object holding every figure."
    )(command)
    command = click.option(
        "--encoder", default=None, help="Encoder name (default: CONSULT_EMBEDDINGS)."
    )(command)
    command = click.option("--seed", default=42, show_default=True)(command)
    command = click.option("--label-column", required=True)(command)
    command = click.option(
        "--text-column",
        "text_columns",
        multiple=True,
        required=True,
        help="Repeat to join several columns (e.g. title and summary).",
    )(command)
    return click.argument("csv_path", type=click.Path(exists=True, dir_okay=False))(command)


@nlp_group.command("evaluate")
@_common
@click.option("--baseline", is_flag=True, help="Also fit BERTopic's defaults on the same vectors.")
@with_appcontext
def evaluate(csv_path, text_columns, label_column, seed, encoder, as_json, baseline) -> None:
    """Fit themes on CSV_PATH and compare them with its labels (NMI, ARI, coherence...)."""
    import nlp

    texts, labels = _read(csv_path, text_columns, label_column)
    name = encoder or current_app.config["CONSULT_EMBEDDINGS"]
    figures = _run(lambda: nlp.evaluate_themes(texts, labels, encoder_name=name, seed=seed))
    if baseline:
        vectors = _run(lambda: _vectors(nlp, name, texts))
        figures["baseline"] = nlp.baseline_nmi(texts, labels, embeddings=vectors, seed=seed)
    _print(figures, THEME_FIGURES, as_json)


@nlp_group.command("map-objectives")
@_common
@click.option(
    "--framework",
    default="piemonte-2018",
    show_default=True,
    help="Code of a bundled framework or path to a framework file.",
)
@click.option("--folds", default=0, help="Also score with confirmed labels, by k-fold CV.")
@with_appcontext
def map_objectives(
    csv_path, text_columns, label_column, seed, encoder, as_json, framework, folds
) -> None:
    """Map CSV_PATH's texts onto the framework's objectives; score against the labels."""
    import nlp
    from consult.framework import loader as frameworks

    try:
        objectives = nlp.read_framework(frameworks.resolve(framework))
    except frameworks.FrameworkError as exc:
        raise click.UsageError(str(exc)) from exc
    texts, labels = _read(csv_path, text_columns, label_column)
    name = encoder or current_app.config["CONSULT_EMBEDDINGS"]
    figures = _run(
        lambda: nlp.evaluate_mapping(
            texts, labels, objectives, encoder_name=name, seed=seed, folds=folds
        )
    )
    _print(figures, MAPPING_FIGURES, as_json)


@nlp_group.command("learning-curve")
@_common
@click.option(
    "--framework",
    default="piemonte-2018",
    show_default=True,
    help="Code of a bundled framework or path to a framework file.",
)
@click.option(
    "--budgets",
    default="0,25,50,100",
    show_default=True,
    help="Numbers of confirmations to simulate, comma-separated.",
)
@with_appcontext
def learning_curve(
    csv_path, text_columns, label_column, seed, encoder, as_json, framework, budgets
) -> None:
    """Simulate planners: at each budget the product picks what to ask, refits, and is scored
    on the proposals it never asked about (macro-F1, accuracy, per-objective F1, ECE)."""
    import nlp
    from consult.framework import loader as frameworks

    try:
        objectives = nlp.read_framework(frameworks.resolve(framework))
        steps = sorted({int(b) for b in budgets.split(",") if b.strip()})
    except frameworks.FrameworkError as exc:
        raise click.UsageError(str(exc)) from exc
    except ValueError as exc:
        raise click.UsageError(f"--budgets: whole numbers separated by commas ({exc})") from exc
    if not steps or steps[0] < 0:
        raise click.UsageError("--budgets: whole numbers from 0 up, separated by commas")
    texts, labels = _read(csv_path, text_columns, label_column)
    name = encoder or current_app.config["CONSULT_EMBEDDINGS"]
    figures = _run(lambda: nlp.learning_curve(texts, labels, objectives, steps, encoder=name))
    for point in figures.get("points", figures.get("curve", [])):
        if isinstance(point, dict):
            summary = {k: v for k, v in point.items() if not isinstance(v, dict | list)}
            click.echo(json.dumps(summary, ensure_ascii=False, default=str))
    click.echo(json.dumps(figures, ensure_ascii=False, default=str))


def _read(csv_path: str, text_columns: tuple[str, ...], label_column: str):
    import csv

    import nlp

    with open(csv_path, encoding="utf-8", newline="") as handle:
        header = csv.DictReader(handle).fieldnames or []
    missing = [c for c in (*text_columns, label_column) if c not in header]
    if missing:
        name, absent, found = Path(csv_path).name, ", ".join(missing), ", ".join(header)
        raise click.UsageError(f"{name} has no column {absent} (it has: {found})")
    texts, labels = nlp.read_labeled_csv(
        csv_path, text_columns=text_columns, label_column=label_column
    )
    if len(texts) < 2:
        raise click.UsageError(f"{Path(csv_path).name}: at least two rows are needed")
    return texts, labels


def _vectors(nlp, name: str, texts: list[str]):
    encoder = nlp.get_encoder(name)
    if getattr(encoder, "fitted", True) is False:
        encoder.fit(texts)
    return encoder.encode(texts)


def _run(work):
    import nlp

    try:
        return work()
    except nlp.NlpError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)


def _print(figures: dict, headline: tuple[str, ...], as_json: bool) -> None:
    for key in headline:
        if key in figures:
            value = figures[key]
            click.echo(
                f"{key:>16}: {value:.4f}" if isinstance(value, float) else f"{key:>16}: {value}"
            )
    for key, value in figures.items():
        if key not in headline and isinstance(value, dict):
            click.echo(f"{key:>16}: {json.dumps(value, ensure_ascii=False, default=str)}")
    if as_json:
        click.echo(json.dumps(figures, ensure_ascii=False, default=str))
