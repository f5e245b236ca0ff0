"""No input reaches a 500: every route, as every role, with generated path values, query
strings and form fields (Hypothesis). 5 roles x EXAMPLES requests run in `make test`.

Exceptions propagate in testing, so a handler that would answer 500 fails here with the
request that broke it. Generation is derandomized: CI sees the same 20,000 requests each run.
"""

import os
import re
import sys
import traceback
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consult.accounts.models import User
from consult.config import ROOT

pytestmark = pytest.mark.slow

# CONSULT_FUZZ_COLLECT=1 lists every distinct failure instead of stopping at the first.
COLLECT = os.environ.get("CONSULT_FUZZ_COLLECT") == "1"
EXAMPLES = int(os.environ.get("CONSULT_FUZZ_EXAMPLES", "4000"))
ROLES = ("anonymous", "participant", "facilitator", "planner", "admin")
# Inputs that broke handlers somewhere before: huge and signed integers, Unicode digits,
# floats a parser may accept, NUL, links, traversal, markup, very long text.
NASTY = (
    "",
    "0",
    "-1",
    "1",
    "2",
    "3",
    "9223372036854775807",
    "9223372036854775808",
    str(10**30),
    "-" + str(10**20),
    "²",
    "١٢",
    "٣",
    "1e309",
    "nan",
    "inf",
    "1.5",
    "true",
    "on",
    "\x00",
    "a\x00b",
    "\ud800",
    "\udcff",
    "https://evil.example/",
    "//evil.example",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "'; DROP TABLE contribution;--",
    "%",
    "%00",
    " ",
    "x" * 5000,
    "it",
    "en",
    "fr",
    "published",
    "rejected",
    "pending",
    "isee",
    "abitare",
    "torino",
)
RESERVED_KEYS = ("_external", "endpoint", "_method", "_anchor", "_scheme", "next", "lingua")
_ARG = re.compile(r"""request\.(?:args|form|values)\.get(?:list)?\(\s*["'](\w+)["']""")
_FIELD = re.compile(r"^\s+(\w+)\s*=\s*\w*Field\(", re.MULTILINE)
_PART = re.compile(r"<(?:(\w+)(?:\(([^)]*)\))?:)?(\w+)>")


def _names_in(paths) -> list[str]:
    """The query/form keys these modules read and the form fields they declare."""
    names: set[str] = set()
    for path in paths:
        source = path.read_text()
        names.update(_ARG.findall(source))
        names.update(_FIELD.findall(source))
    return sorted(names)


KEYS = _names_in((ROOT / "consult").rglob("*.py")) + list(RESERVED_KEYS)
NUMBERS = ("2147483648", "9223372036854775808", str(10**30), "²", "-1", "0", "1e309", "١٢")
values = st.one_of(st.sampled_from(NUMBERS), st.sampled_from(NASTY), st.text(max_size=40))
# The systematic pass: each key a route's package reads, alone, with each of these.
HOSTILE = ("2147483648", "²", "\x00")


def _params(own_keys: list[str]):
    """Mostly the keys the route's own package reads, sometimes any key or a random one."""
    keys = (
        st.sampled_from(own_keys or KEYS) | st.sampled_from(KEYS) | st.text(min_size=1, max_size=8)
    )
    return st.dictionaries(keys, values, max_size=6)


@dataclass(frozen=True)
class Target:
    rule: str
    method: str
    keys: tuple[str, ...]


def _package_keys(view) -> tuple[str, ...]:
    """Keys read by the view's feature package (its views, forms and helpers)."""
    module = sys.modules[view.__module__]
    package = Path(module.__file__ or "").parent
    return tuple(_names_in(package.glob("*.py")))


def _targets(app) -> list[Target]:
    return sorted(
        (
            Target(rule.rule, method, _package_keys(app.view_functions[rule.endpoint]))
            for rule in app.url_map.iter_rules()
            if rule.endpoint != "static"
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
        ),
        key=lambda t: (t.rule, t.method),
    )


def _path(rule: str, draw, known: dict[str, list[str]]) -> str:
    def value(match: re.Match) -> str:
        converter, arguments, name = match.groups()
        if converter == "any":
            choices = [c.strip(" '\"") for c in arguments.split(",")]
            return draw(st.sampled_from([*choices, "x"]))
        if converter == "int":
            return draw(st.sampled_from(["1", "2", "3", "0", "2147483648", str(10**30)]))
        return draw(st.sampled_from(known.get(name, []) + list(NASTY[:24])) | st.text(max_size=12))

    path = _PART.sub(value, rule)
    return "/".join(_quote(part) for part in path.split("/"))


def _quote(part: str, safe: str = "") -> str:
    """Percent-encode as a browser would; lone surrogates become the invalid UTF-8 bytes
    a hostile client can send."""
    return quote(part, safe=safe, errors="surrogatepass")


def _encoded(fields: dict[str, str]) -> str:
    return "&".join(f"{_quote(key)}={_quote(value)}" for key, value in fields.items())


@pytest.fixture
def seeded(
    app,
    db,
    create_user,
    create_contribution,
    meeting_staff,
    create_live_session,
    create_response,
    create_current_theme,
):
    """A consultation with a meeting, an open live room, proposals, a theme and a response."""
    live = create_live_session(meeting=meeting_staff["meeting"], code="FUZ234")
    first = create_contribution(author_name="Ada", author_email="ada@example.org")
    create_contribution(text="Più trasporti per le valli.", status="pending")
    create_current_theme(members=[first])
    create_response(text="Accolta.")
    app.config.update(MAIL_BACKEND="memory", MAIL_OUTBOX=[])
    return {
        "code": [live.code],
        "token": [first.tracking_token],
        "slug": ["piemonte-2018"],
        "objective": ["isee", "abitare"],
        "territory": ["torino"],
    }, {role: meeting_staff[role] for role in ROLES[1:]}


def _user_for(db, staff: dict, role: str):
    """The role's user, made anew if a generated request deactivated or erased it."""
    user = db.get(User, staff[role].id)
    if user is None or not user.active or user.role != role:
        user = User(
            email=f"fuzz-{role}-{os.urandom(4).hex()}@example.org",
            role=role,
            password_hash=staff["admin"].password_hash,
        )
        db.add(user)
        db.commit()
        staff[role] = user
    return user


def _send(app, db, staff, role, target: Target, path: str, query: dict, form: dict | None) -> str:
    """The failure this request causes ("" when it answers below 500)."""
    client = app.test_client()
    if role != "anonymous":
        user = _user_for(db, staff, role)
        with client.session_transaction() as session:
            session["_user_id"] = f"{user.id}:{user.session_version}"
            session["_fresh"] = True
    try:
        response = client.open(
            path,
            method=target.method,
            query_string=_encoded(query),
            data=_encoded(form) if form is not None else None,
            content_type="application/x-www-form-urlencoded" if form is not None else None,
        )
        response.close()
        status, where = response.status_code, ""
    except Exception as error:  # the request that would have answered 500
        status, where = 500, traceback.format_exception(error)[-1].strip()
    db.rollback()
    if status < 500:
        return ""
    return f"{target.method} {target.rule} as {role}: {where or status}"


def _plain_path(rule: str, known: dict[str, list[str]]) -> str:
    """The route with stored values (the first seeded object) in its path."""

    def value(match: re.Match) -> str:
        converter, arguments, name = match.groups()
        if converter == "any":
            return arguments.split(",")[0].strip(" '\"")
        if converter == "int":
            return "1"
        return (known.get(name) or ["x"])[0]

    return _PART.sub(value, rule)


@pytest.mark.parametrize("role", ROLES)
def test_every_key_a_route_reads_survives_hostile_values(app, db, seeded, role):
    known, staff = seeded
    failures = []
    for target in _targets(app):
        path = _plain_path(target.rule, known)
        for key in target.keys:
            for value in HOSTILE:
                query, form = ({key: value}, None) if target.method == "GET" else ({}, {key: value})
                failure = _send(app, db, staff, role, target, path, query, form)
                if failure:
                    failures.append(f"{failure} ({key}={value[:20]!r})")
    assert failures == [], "\n".join(failures)


@pytest.mark.parametrize("role", ROLES)
def test_no_generated_request_gets_a_server_error(app, db, seeded, role):
    known, staff = seeded
    targets = _targets(app)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def one_request(data):
        target = data.draw(st.sampled_from(targets), label="route")
        path = _path(target.rule, data.draw, known)
        query = data.draw(_params(list(target.keys)), label="query")
        form = (
            data.draw(_params(list(target.keys)), label="form") if target.method != "GET" else None
        )
        failure = _send(app, db, staff, role, target, path, query, form)
        if failure and COLLECT:
            found[failure] += 1
        elif failure:
            raise AssertionError(f"{failure}\n{target.method} {path} {query} {form}")

    found: Counter[str] = Counter()
    one_request()
    for failure, count in found.most_common():
        print(f"{count:5d} {failure}")
