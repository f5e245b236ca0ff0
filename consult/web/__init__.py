"""Blueprints, one per user role or feature; each module exposes `bp`."""

from flask import Flask

from . import account_page, accounts, api, errors, public, user_admin


def register_blueprints(app: Flask) -> None:
    for module in (public, accounts, api, account_page, user_admin):
        app.register_blueprint(module.bp)
    errors.init_app(app)
    app.context_processor(public.layout_context)
