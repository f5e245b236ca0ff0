"""Blueprints, one per user role or feature; each module exposes `bp`."""

from flask import Flask

from consult.accountability import tracking_views as tracking
from consult.accountability import views as responses
from consult.accounts import admin_views as user_admin
from consult.accounts import page_views as account_page
from consult.accounts import views as accounts
from consult.admin import views as consultation_admin
from consult.analysis import jobs as analysis_jobs
from consult.analysis import mapping_views as mapping
from consult.analysis import similar_views as similar
from consult.analysis import theme_views as themes
from consult.analysis import views as analysis
from consult.api import accountability_views as api_accountability
from consult.api import views as api
from consult.common import errors
from consult.coplanning import api_views as api_strategy
from consult.coplanning import meeting_views as strategy_meetings
from consult.coplanning import planner_views as coplanning
from consult.coplanning import views as strategy
from consult.framework import labels
from consult.live import moderation_views as moderation
from consult.live import phone_views as live_phone
from consult.live import round_views as live_rounds
from consult.live import runtime as live_runtime
from consult.live import session_views as live_sessions
from consult.live import views as live
from consult.meetings import entry_views as entry
from consult.meetings import export_views as exports
from consult.meetings import import_views as imports
from consult.meetings import public_views as public_meetings
from consult.meetings import views as meetings
from consult.moderation import views as desk
from consult.notifications import jobs as notification_jobs
from consult.notifications import views as notifications
from consult.planning import coverage_views as coverage
from consult.planning import report_views as reports
from consult.proposals import browse_views as browse
from consult.proposals import engagement_views as engagement
from consult.proposals import views as proposals
from consult.public import objective_views as objectives
from consult.public import statistics_views as statistics
from consult.public import views as public

BLUEPRINT_MODULES = (
    # everyone
    public, proposals, similar, browse, engagement, tracking, objectives, statistics, live,
    live_phone, api, api_accountability, strategy, api_strategy, notifications, public_meetings,
    # accounts
    accounts, account_page, user_admin, consultation_admin,
    # facilitators
    desk, meetings, live_sessions, live_rounds, moderation, entry, imports, exports,
    strategy_meetings,
    # planners
    analysis, themes, mapping, coverage, responses, reports, coplanning,
)  # fmt: skip


def register_blueprints(app: Flask) -> None:
    live_runtime.init_app(app)
    notification_jobs.init_app(app)
    analysis_jobs.init_app(app)
    for module in BLUEPRINT_MODULES:
        app.register_blueprint(module.bp)
    errors.init_app(app)
    app.context_processor(public.layout_context)
    app.context_processor(labels.labels_context)
    app.jinja_env.filters["relabel"] = labels.relabel
