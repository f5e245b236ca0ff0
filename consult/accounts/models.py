"""Accounts: optional for participants, required for staff roles."""

from datetime import datetime

from flask_login import UserMixin
from sqlmodel import Field, SQLModel

from consult.common.models import utcnow

ROLES = ("participant", "moderator", "facilitator", "planner", "admin")


class User(UserMixin, SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    password_hash: str = Field(max_length=255)
    display_name: str = Field(default="", max_length=120)
    role: str = Field(default="participant", max_length=20)
    locale: str = Field(default="it", max_length=5)
    active: bool = True
    session_version: int = 0
    created_at: datetime = Field(default_factory=utcnow)
    last_login_at: datetime | None = None
    # Set when the owner opened the signed link mailed to the address: until then the address
    # counts for nothing (no proposals signed with it, no mail but the verification itself).
    email_verified_at: datetime | None = None

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active

    def get_id(self) -> str:
        # The session version makes "log out everywhere" and password changes invalidate sessions.
        return f"{self.id}:{self.session_version}"

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    def has_role(self, *roles: str) -> bool:
        return self.role == "admin" or self.role in roles
