"""Reports produced by Celery workers and kept: who asked for what and when, their progress, file, or failure."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from certcenter.accounts.models import User
from certcenter.core.models import UTCDateTime, one_of, utcnow
from certcenter.core.storage import owns_files
from certcenter.extensions import db

ASSESSMENT, EXPORT, STATISTICS, ITEM_ANALYSIS = "assessment", "export", "statistics", "item_analysis"
KINDS = (ASSESSMENT, EXPORT, STATISTICS, ITEM_ANALYSIS)
QUEUED, RUNNING, READY, FAILED = "queued", "running", "ready", "failed"
STATES = (QUEUED, RUNNING, READY, FAILED)


class Report(db.Model):
    __tablename__ = "reports"
    __table_args__ = (
        CheckConstraint(one_of("kind", KINDS), name="kind"),
        CheckConstraint(one_of("status", STATES), name="status"),
        CheckConstraint("progress BETWEEN 0 AND 100", name="progress_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), nullable=False)
    params: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), nullable=True, index=True
    )
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=QUEUED, index=True)
    progress: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    storage_key: Mapped[str | None] = mapped_column(String(200), nullable=True, unique=True)
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    size: Mapped[int | None] = mapped_column(Integer, nullable=True)
    filename: Mapped[str | None] = mapped_column(String(200), nullable=True)
    content_type: Mapped[str | None] = mapped_column(String(100), nullable=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # When it was last sent to the workers, and which worker process started it when: the sweep sends again a
    # report queued too long, or left running by a worker that has died.
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    worker: Mapped[str | None] = mapped_column(String(32), nullable=True)

    requested_by: Mapped[User | None] = relationship()
    application = relationship("Application", backref="reports")

    def __repr__(self) -> str:
        return f"<Report {self.id} {self.kind} {self.status}>"

    @property
    def period_dates(self) -> tuple[date, date] | None:
        """The period of a statistics report."""
        if self.kind != STATISTICS:
            return None
        return date.fromisoformat(self.params["date_from"]), date.fromisoformat(self.params["date_to"])

    def can_view(self, user: User) -> bool:
        """Administrators see every report; a candidate only the assessment report of their own application."""
        if not user.is_authenticated:
            return False
        if user.has_role("administrator"):
            return True
        return self.kind == ASSESSMENT and self.application is not None and self.application.is_owner(user)


class StatisticsSnapshot(db.Model):
    """The centre's statistics for one of the dashboard's periods, as last computed by a worker. The dashboard
    reads this row instead of running the aggregates on every request, and asks for a fresh one when it is old."""

    __tablename__ = "statistics_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    period_key: Mapped[str] = mapped_column(String(20), nullable=False, unique=True)
    data: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    compute_ms: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # When a refresh was last queued: the dashboard queues one at most once a minute, however many watch it.
    refresh_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    def __repr__(self) -> str:
        return f"<StatisticsSnapshot {self.period_key} {self.computed_at:%Y-%m-%d %H:%M:%S}>"


owns_files("reports", Report.storage_key, sha256=Report.sha256)
