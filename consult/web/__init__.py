"""Blueprints, one per user role or feature; each module exposes `bp`."""

from flask import Flask

from . import accounts, api, entry, errors, exports, imports, public


def register_blueprints(app: Flask) -> None:
    for module in (public, accounts, api, entry, imports, exports):
        app.register_blueprint(module.bp)
    errors.init_app(app)
    app.context_processor(public.layout_context)
