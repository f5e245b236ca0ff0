"""Form helpers shared by every feature's forms."""

from flask_babel import gettext
from wtforms.validators import ValidationError

from consult.common.text_rules import clean_text, text_problem

__all__ = ["clean_text", "proposal_text"]


def proposal_text(_form, field) -> None:
    """WTForms validator: the one proposal text rule, its message in the user's language."""
    problem = text_problem(field.data)
    if problem:
        raise ValidationError(gettext(problem))
