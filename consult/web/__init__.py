"""Blueprints, one per user role or feature; each module exposes `bp`."""

from flask import Flask

from . import accounts, api, errors, live, live_runtime, meetings, moderation, public, statistics


def register_blueprints(app: Flask) -> None:
    for module in (public, accounts, api):
        app.register_blueprint(module.bp)
    live_runtime.init_app(app)
    for module in (meetings, moderation, live, statistics):
        app.register_blueprint(module.bp)
    errors.init_app(app)
    app.context_processor(public.layout_context)
