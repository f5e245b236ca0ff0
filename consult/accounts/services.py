"""Accounts: registration, password rules, reset tokens, profile and role changes."""

import hashlib
from functools import cache
from pathlib import Path

from email_validator import EmailNotValidError, validate_email
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlmodel import Session, func, or_, select
from werkzeug.security import check_password_hash, generate_password_hash

from consult.accounts.models import ROLES, User
from consult.common import audit
from consult.common.models import utcnow


def stored_user_id(user: User) -> int:
    """The id of an account already flushed to the database (audit rows point at it)."""
    if user.id is None:
        raise ValueError("the account has not been stored yet")
    return user.id


MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200
RESET_SALT = "consult.password-reset"
VERIFY_SALT = "consult.email-verification"
COMMON_PASSWORDS_FILE = Path(__file__).parent / "data" / "common_passwords.txt"


class AccountError(ValueError):
    """A refused account operation; `code` tells the web layer which message to show."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class ResetTokenError(AccountError):
    """A reset link that is tampered ("invalid"), too old ("expired") or already used ("used")."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(db: Session, email: str) -> User | None:
    return db.exec(select(User).where(func.lower(User.email) == normalise_email(email))).first()


def user_by_id(db: Session, user_id: int) -> User | None:
    return db.get(User, user_id)


def search_users(db: Session, query: str, *, page: int, page_size: int) -> tuple[list[User], int]:
    """One page of the accounts whose e-mail or name contains `query`, and how many match."""
    statement = select(User)
    if query:
        pattern = f"%{query.lower()}%"
        statement = statement.where(
            or_(func.lower(User.email).like(pattern), func.lower(User.display_name).like(pattern))
        )
    total = db.exec(select(func.count()).select_from(statement.subquery())).one()
    users = db.exec(
        statement.order_by(User.email).offset((page - 1) * page_size).limit(page_size)
    ).all()
    return list(users), total


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def password_problem(password: str, email: str) -> str | None:
    """Say why a new password is too weak ("too-short", "too-long", "common", "is-email")."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return "too-short"
    if len(password) > MAX_PASSWORD_LENGTH:
        return "too-long"
    folded = password.strip().casefold()
    if folded in common_passwords() or len(set(folded)) < 3:
        return "common"
    if folded in {normalise_email(email), normalise_email(email).split("@")[0]}:
        return "is-email"
    return None


def hash_password(password: str) -> str:
    return generate_password_hash(password)


def verify_password(user: User, password: str) -> bool:
    return check_password_hash(user.password_hash, password)


_DUMMY_HASH = generate_password_hash("no account has this password")


def authenticate(db: Session, email: str, password: str) -> User | None:
    """The active account with this e-mail and password; unknown addresses cost the same time."""
    user = find_by_email(db, email)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not verify_password(user, password) or not user.active:
        return None
    return user


def create_user(
    db: Session,
    *,
    email: str,
    password: str,
    display_name: str = "",
    role: str = "participant",
    locale: str = "it",
) -> User:
    """Store a new account after checking the address is free and the password is strong."""
    if role not in ROLES:
        raise AccountError("unknown-role")
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as exc:
        raise AccountError("bad-email") from exc
    if find_by_email(db, email) is not None:
        raise AccountError("email-taken")
    problem = password_problem(password, email)
    if problem:
        raise AccountError(problem)
    user = User(
        email=normalise_email(email),
        password_hash=hash_password(password),
        display_name=display_name,
        role=role,
        locale=locale,
    )
    db.add(user)
    db.flush()
    audit.record(
        db,
        actor_id=user.id,
        action="user.created",
        entity_type="user",
        entity_id=stored_user_id(user),
        after={"role": role},
    )
    return user


def register(
    db: Session, *, email: str, password: str, display_name: str = "", locale: str = "it"
) -> User | None:
    """A new participant's account, or None when the address already has one.

    Both answers cost one password hash, so the time taken does not tell them apart.
    """
    if find_by_email(db, email) is not None:
        hash_password(password)
        return None
    return create_user(db, email=email, password=password, display_name=display_name, locale=locale)


def set_password(db: Session, user: User, password: str) -> None:
    """Replace the password and log out every session (and invalidate pending reset links)."""
    problem = password_problem(password, user.email)
    if problem:
        raise AccountError(problem)
    user.password_hash = hash_password(password)
    user.session_version += 1
    db.add(user)
    audit.record(
        db,
        actor_id=user.id,
        action="user.password-changed",
        entity_type="user",
        entity_id=stored_user_id(user),
    )


def log_out_everywhere(db: Session, user: User) -> None:
    """Bump the session version: every session and remember-me cookie stops working."""
    user.session_version += 1
    db.add(user)


# --- signed links: password reset and e-mail verification -------------------------------------


class VerificationTokenError(AccountError):
    """A verification link that is tampered ("invalid") or too old ("expired")."""


def _fingerprint(user: User) -> str:
    """Changes when the password or the session version changes, so a link works only once."""
    material = f"{user.id}|{user.password_hash}|{user.session_version}".encode()
    return hashlib.sha256(material).hexdigest()[:24]


def _address_fingerprint(user: User) -> str:
    """Names the address the link was mailed to: a link for another address proves nothing."""
    return hashlib.sha256(f"{user.id}|{normalise_email(user.email)}".encode()).hexdigest()[:24]


def _make_token(secret_key: str, salt: str, user: User, fingerprint: str) -> str:
    serializer = URLSafeTimedSerializer(secret_key, salt=salt)
    return serializer.dumps({"u": user.id, "f": fingerprint})


def _load_token(
    secret_key: str, salt: str, token: str, max_age: int, error: type[AccountError]
) -> dict:
    """The payload of a signed link, or `error` saying "expired" or "invalid"."""
    serializer = URLSafeTimedSerializer(secret_key, salt=salt)
    try:
        payload = serializer.loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise error("expired") from exc
    except BadSignature as exc:
        raise error("invalid") from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("u"), int):
        raise error("invalid")
    return payload


def make_reset_token(secret_key: str, user: User) -> str:
    return _make_token(secret_key, RESET_SALT, user, _fingerprint(user))


def user_for_reset_token(db: Session, secret_key: str, token: str, max_age: int) -> User:
    """Return the account a reset link belongs to, or raise ResetTokenError saying why not."""
    payload = _load_token(secret_key, RESET_SALT, token, max_age, ResetTokenError)
    user = db.get(User, payload["u"])
    if user is None or not user.active or payload.get("f") != _fingerprint(user):
        raise ResetTokenError("used")
    return user


def make_verification_token(secret_key: str, user: User) -> str:
    return _make_token(secret_key, VERIFY_SALT, user, _address_fingerprint(user))


def verify_email(db: Session, secret_key: str, token: str, max_age: int) -> User:
    """Mark the address of the link's account verified (again is harmless), or raise
    VerificationTokenError ("invalid", "expired")."""
    payload = _load_token(secret_key, VERIFY_SALT, token, max_age, VerificationTokenError)
    user = db.get(User, payload["u"])
    if user is None or payload.get("f") != _address_fingerprint(user):
        raise VerificationTokenError("invalid")
    confirm_address(db, user)
    return user


def confirm_address(db: Session, user: User) -> None:
    """Record that the owner of the address opened a link mailed to it (once)."""
    if user.email_verified_at is not None:
        return
    user.email_verified_at = utcnow()
    db.add(user)
    audit.record(
        db,
        actor_id=user.id,
        action="user.email-verified",
        entity_type="user",
        entity_id=stored_user_id(user),
    )


# --- administration ---------------------------------------------------------------------------


def set_role(db: Session, *, actor: User, user: User, role: str) -> None:
    """Change a role (never one's own, so the last admin cannot lock everyone out)."""
    if role not in ROLES:
        raise AccountError("unknown-role")
    if actor.id == user.id:
        raise AccountError("self-change")
    if role == user.role:
        return
    before = {"role": user.role}
    user.role = role
    user.session_version += 1  # powers change: sessions start again with the new role
    db.add(user)
    audit.record(
        db,
        actor_id=actor.id,
        action="user.role-changed",
        entity_type="user",
        entity_id=stored_user_id(user),
        before=before,
        after={"role": role},
    )


def set_active(db: Session, *, actor: User, user: User, active: bool) -> None:
    """Deactivate (logging the account out everywhere) or reactivate an account."""
    if actor.id == user.id:
        raise AccountError("self-change")
    if user.active == active:
        return
    user.active = active
    user.session_version += 1
    db.add(user)
    audit.record(
        db,
        actor_id=actor.id,
        action="user.activated" if active else "user.deactivated",
        entity_type="user",
        entity_id=stored_user_id(user),
        before={"active": not active},
        after={"active": active},
    )
