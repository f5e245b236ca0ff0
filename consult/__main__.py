"""The `consult` console script (and `python -m consult`): the Flask CLI on our factory."""

from flask.cli import FlaskGroup

from consult import create_app


def main() -> None:
    """Entry point of the `consult` console script."""
    cli = FlaskGroup(create_app=create_app, help="consult: consultazione partecipata.")
    cli.main(prog_name="consult")


if __name__ == "__main__":
    main()
