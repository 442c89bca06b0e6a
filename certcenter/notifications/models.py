"""In-app notices. A notice names its subject as the audit log does (a model's class name and id), so this package
knows no domain: the domain that writes a kind of notice also registers how it is told (``register_kind``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from certcenter.core.models import UTCDateTime, utcnow
from certcenter.extensions import db


class Notification(db.Model):
    """A message to one person: ``kind`` and ``params`` are told in the reader's language when shown."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_subject", "subject_type", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    subject_type: Mapped[str | None] = mapped_column(String(60), nullable=True)
    subject_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    params: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    def __repr__(self) -> str:
        return f"<Notification {self.user_id} {self.kind} {self.subject_type}:{self.subject_id}>"


class NoticePreference(db.Model):
    """A person's choice for one kind of notice: by e-mail or in the application only. No row: by e-mail. Notices
    that cannot be switched off (security, legal) are mailed whatever a row says. The kind ``digest`` is an
    administrator's daily digest."""

    __tablename__ = "notice_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    email: Mapped[bool] = mapped_column(Boolean, nullable=False)

    def __repr__(self) -> str:
        return f"<NoticePreference {self.user_id} {self.kind} {'e-mail' if self.email else 'in-app'}>"
