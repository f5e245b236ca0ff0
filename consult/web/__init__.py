"""Blueprints, one per user role or feature; each module exposes `bp`."""

from flask import Flask

from . import accounts, api, browse, engagement, errors, proposals, public, tracking


def register_blueprints(app: Flask) -> None:
    for module in (public, accounts, api, proposals, browse, engagement, tracking):
        app.register_blueprint(module.bp)
    errors.init_app(app)
    app.context_processor(public.layout_context)
