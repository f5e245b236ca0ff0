"""Blueprints, one per user role or feature; each module exposes `bp`."""

from flask import Flask

from . import (
    account_page,
    accounts,
    analysis,
    api,
    api_accountability,
    browse,
    coverage,
    engagement,
    entry,
    errors,
    exports,
    imports,
    labels,
    live,
    live_runtime,
    mapping,
    meetings,
    moderation,
    objectives,
    proposals,
    public,
    reports,
    responses,
    statistics,
    themes,
    tracking,
    user_admin,
)

BLUEPRINT_MODULES = (
    # everyone
    public, proposals, browse, engagement, tracking, objectives, statistics, live, api,
    api_accountability,
    # accounts
    accounts, account_page, user_admin,
    # facilitators
    meetings, moderation, entry, imports, exports,
    # planners
    analysis, themes, mapping, coverage, responses, reports,
)  # fmt: skip


def register_blueprints(app: Flask) -> None:
    live_runtime.init_app(app)
    for module in BLUEPRINT_MODULES:
        app.register_blueprint(module.bp)
    errors.init_app(app)
    app.context_processor(public.layout_context)
    app.context_processor(labels.labels_context)
    app.jinja_env.filters["relabel"] = labels.relabel
