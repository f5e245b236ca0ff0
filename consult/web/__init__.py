"""Blueprints, one per user role or feature; each module exposes `bp`."""

from flask import Flask

from . import accounts, analysis, api, errors, mapping, public, themes


def register_blueprints(app: Flask) -> None:
    for module in (public, accounts, api, analysis, themes, mapping):
        app.register_blueprint(module.bp)
    errors.init_app(app)
    app.context_processor(public.layout_context)
