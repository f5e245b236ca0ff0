"""Account enumeration by timing (finding 5): reset, registration and verification-resend for an
address that has an account and one that has not, with a real SMTP server on 127.0.0.1 that
takes as long per message as the probe's (1.4 s). The thread executor of production sends the
mail; the figure is the answer's time, which must not tell the two addresses apart.

    .venv/bin/python bench/account_enumeration.py [--requests 20] [--smtp-delay 1.4]

Recorded on the shared 2-core machine (load average 4.4 while other sessions ran), SQLite file,
20 requests per case, known and unknown interleaved, median / max:

  reset ......... known 9 / 84 ms      unknown 8 / 28 ms
  resend ........ known 11 / 40 ms     unknown 9 / 19 ms
  registration .. taken 345 / 512 ms   new 362 / 443 ms   (one password hash either way)
  (the probe on main: reset 1,429 ms known, 13 ms unknown; every mail waited 1.4 s here too)
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlmodel import SQLModel  # noqa: E402

import consult.models  # noqa: E402,F401
from consult import create_app, db  # noqa: E402
from consult.accounts import services as accounts  # noqa: E402
from tests.smtp_server import SMTPServer  # noqa: E402

STRONG = "una frase lunga e facile"


def _app(folder: str, server: SMTPServer):
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3",
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "SERVER_NAME": "localhost",
            "ANALYSIS_EXECUTOR": "thread",
            "MAIL_BACKEND": "smtp",
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": server.port,
        }
    )
    SQLModel.metadata.create_all(app.extensions["consult.engine"])
    with app.app_context(), db.standalone_session() as session:
        accounts.create_user(session, email="ada@example.org", password=STRONG)
    return app


def _time(app, url: str, data: dict) -> float:
    client = app.test_client()
    start = time.perf_counter()
    response = client.post(url, data=data)
    elapsed = (time.perf_counter() - start) * 1000
    assert response.status_code == 200, response.status_code
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--smtp-delay", type=float, default=1.4)
    options = parser.parse_args()
    server = SMTPServer(delay=options.smtp_delay)
    with tempfile.TemporaryDirectory() as folder:
        app = _app(folder, server)
        cases = {
            "reset": ("/account/password-dimenticata", lambda email, n: {"email": email}),
            "resend": ("/account/conferma-email", lambda email, n: {"email": email}),
            "registration": (
                "/account/registrati",
                lambda email, n: {"email": email, "password": STRONG, "privacy": "y"},
            ),
        }
        for name, (url, form) in cases.items():
            times: dict[str, list[float]] = {"known": [], "unknown": []}
            for n in range(options.requests):  # interleaved, so both meet the same load
                times["known"].append(_time(app, url, form("ada@example.org", n)))
                times["unknown"].append(_time(app, url, form(f"nuovo{name}{n}@example.org", n)))
            line = [f"{k} {statistics.median(v):.0f} / {max(v):.0f} ms" for k, v in times.items()]
            print(f"{name:13} " + "    ".join(line))
        server.wait_for(3 * options.requests + options.requests, timeout=120)
    server.close()


if __name__ == "__main__":
    main()
