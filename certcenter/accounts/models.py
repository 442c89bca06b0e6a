"""Users, their roles, and sign-in attempts (for throttling)."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from certcenter.core.models import TimestampMixin, UTCDateTime, utcnow
from certcenter.extensions import db

CANDIDATE, ASSESSOR, ADMINISTRATOR = "candidate", "assessor", "administrator"
ROLES = (CANDIDATE, ASSESSOR, ADMINISTRATOR)


def new_session_nonce() -> str:
    return secrets.token_hex(8)


class User(TimestampMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), nullable=False, unique=True)
    full_name: Mapped[str] = mapped_column(String(200), nullable=False)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    locale: Mapped[str | None] = mapped_column(String(5), nullable=True)
    must_change_password: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # Part of the session identifier: changing it (deactivation, password reset) ends every open session.
    session_nonce: Mapped[str] = mapped_column(String(32), nullable=False, default=new_session_nonce)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # When the person proved the address is theirs (a link mailed to it); accounts an administrator made count as
    # verified. An address being changed to waits in ``pending_email`` until its link is opened.
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    pending_email: Mapped[str | None] = mapped_column(String(254), nullable=True)

    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"

    # Flask-Login
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_nonce}"

    @property
    def roles(self) -> set[str]:
        return {row.role for row in self.role_rows}

    def has_role(self, role: str) -> bool:
        return role in self.roles

    def set_roles(self, roles: set[str]) -> None:
        unknown = set(roles) - set(ROLES)
        if unknown:
            raise ValueError(f"unknown roles: {sorted(unknown)}")
        self.role_rows = [row for row in self.role_rows if row.role in roles] + [
            UserRole(role=role) for role in sorted(set(roles) - self.roles)
        ]

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    def end_sessions(self) -> None:
        self.session_nonce = new_session_nonce()


class UserRole(db.Model):
    __tablename__ = "user_roles"
    __table_args__ = (CheckConstraint("role IN ('candidate', 'assessor', 'administrator')", name="role"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)

    user: Mapped[User] = relationship(back_populates="role_rows")

    def __repr__(self) -> str:
        return f"<UserRole {self.user_id}:{self.role}>"


class LoginAttempt(db.Model):
    """Every sign-in attempt, kept in the database so that throttling holds across web processes."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow, index=True)
    email: Mapped[str] = mapped_column(String(254), nullable=False, index=True)
    ip_address: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    succeeded: Mapped[bool] = mapped_column(Boolean, nullable=False)

    def __repr__(self) -> str:
        return f"<LoginAttempt {self.email} {'ok' if self.succeeded else 'failed'}>"
