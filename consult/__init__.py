"""consult: participatory consultation and co-planning."""

from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

import consult.models  # noqa: F401  (every table, and the hooks keeping stored assignments current)
from consult import admission, config, consultation_urls, db
from consult.cache_policy import keep_private_pages_out_of_caches, let_public_pages_be_cached
from consult.extensions import (
    CONTENT_SECURITY_POLICY,
    PERMISSIONS_POLICY,
    HtmlSafeJSONProvider,
    babel,
    csrf,
    extra_security_headers,
    limit_body_size,
    limiter,
    login_manager,
    read_body_before_the_database,
    select_locale,
    talisman,
)
from consult.hosting import base_url_problem
from consult.request_input import NulFreeRequest, refuse_nul_in_query
from consult.routing import StoredIdConverter, TextSegmentConverter

ROOT = config.ROOT


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the application: configuration, extensions, blueprints, commands."""
    app = consultation_urls.ConsultationFlask(
        __name__,
        instance_path=str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(config.from_environment(app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)

    consultation_urls.mount(app)
    _init_hosting(app)
    app.request_class = NulFreeRequest
    app.url_map.converters["int"] = StoredIdConverter
    app.url_map.converters["default"] = app.url_map.converters["string"] = TextSegmentConverter
    app.before_request(refuse_nul_in_query)
    app.before_request(limit_body_size)  # before anything reads the body
    app.before_request(read_body_before_the_database)  # before any hook takes a connection
    app.before_request(admission.take_turn)  # then wait for a turn at the database
    app.before_request(consultation_urls.check_prefix)
    app.json = HtmlSafeJSONProvider(app)
    admission.init_app(app)
    db.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(Path(__file__).parent / "translations"),
    )
    csrf.init_app(app)
    limiter.init_app(app)
    talisman.init_app(
        app,
        force_https=False,
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        content_security_policy=CONTENT_SECURITY_POLICY,
        content_security_policy_nonce_in=[],
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
        permissions_policy=PERMISSIONS_POLICY,
        strict_transport_security_max_age=31536000,
    )
    app.after_request(extra_security_headers)
    app.after_request(keep_private_pages_out_of_caches)
    app.after_request(let_public_pages_be_cached)
    _init_login(app)

    from consult.blueprints import register_blueprints

    register_blueprints(app)

    from consult.cli import register_commands

    register_commands(app)
    return app


def _init_hosting(app: Flask) -> None:
    """Believe exactly the configured proxies, and build absolute links from the base URL."""
    proxies = app.config["TRUSTED_PROXIES"]
    if proxies:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app,
            x_for=proxies,
            x_proto=proxies,
            x_host=proxies,
            x_port=proxies,
            x_prefix=proxies,
        )
    base = app.config["BASE_URL"]
    if base and (problem := base_url_problem(base)):
        raise RuntimeError(problem)
    if not base and not (app.debug or app.testing):
        app.logger.warning(
            "CONSULT_BASE_URL is not set: absolute links (mails, QR codes) follow the request's "
            "Host header; set it, or CONSULT_TRUSTED_HOSTS, before going live"
        )


def _init_login(app: Flask) -> None:
    from consult.accounts import auth

    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.user_loader(auth.load_user)
    login_manager.login_message = auth.LOGIN_MESSAGE
    login_manager.login_message_category = "info"
