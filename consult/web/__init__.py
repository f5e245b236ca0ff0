"""Blueprints, one per user role or feature; each module exposes `bp`."""

from flask import Flask

from . import (
    account_page,
    accounts,
    api,
    api_accountability,
    coverage,
    entry,
    errors,
    exports,
    imports,
    labels,
    objectives,
    public,
    reports,
    responses,
    user_admin,
)


def register_blueprints(app: Flask) -> None:
    for module in (public, accounts, api, account_page, user_admin):
        app.register_blueprint(module.bp)
    for module in (entry, imports, exports):
        app.register_blueprint(module.bp)
    for module in (coverage, responses, reports, objectives, api_accountability):
        app.register_blueprint(module.bp)
    errors.init_app(app)
    app.context_processor(public.layout_context)
    app.context_processor(labels.labels_context)
    app.jinja_env.filters["relabel"] = labels.relabel
