"""Form helpers shared by blueprints."""

from ..services.text_rules import clean_text

__all__ = ["clean_text"]
