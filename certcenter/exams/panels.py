"""What examinations show on other domains' pages (the candidate's booking and results, the administrators' marks per
unit and descriptor), the proctor's table, and how its notices read."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select

from certcenter.accounts.forms import ConfirmForm
from certcenter.applications import workflow
from certcenter.applications.models import Application
from certcenter.exams import policy, services
from certcenter.exams.forms import CodeForm
from certcenter.exams.models import (
    ATTEMPT_STATUSES,
    BOOKING_STATUSES,
    IN_PROGRESS,
    MARKED,
    MODES,
    Attempt,
    AttemptItem,
    Sitting,
)
from certcenter.extensions import db
from certcenter.framework.vocabulary import DESCRIPTOR_KINDS, DESCRIPTOR_LABELS
from certcenter.notifications.models import Notification


def _share(pair: list[float]) -> int:
    score, maximum = pair
    return round(100 * score / maximum) if maximum else 0


def attempt_summaries(application: Application, *, staff: bool = False) -> list[dict[str, Any]]:
    """Each attempt with its marks per unit and descriptor. The candidate sees marks only once marked, and the
    correct answers only where the sitting's specification allows it."""
    units = {str(unit.id): unit for unit in application.qualification.units}
    summaries = []
    for attempt in services.attempts_of(application):
        marked = attempt.status == MARKED
        summary: dict[str, Any] = {
            "attempt": attempt,
            "sitting": attempt.sitting,
            "status": ATTEMPT_STATUSES[attempt.status],
            "marked": marked,
            "units": [],
            "descriptors": [],
            "answers": [],
        }
        if marked:
            ordered = sorted(attempt.unit_scores.items(), key=lambda kv: units[kv[0]].position if kv[0] in units else 0)
            summary["units"] = [
                {"code": units[key].code if key in units else "?", "title": units[key].title if key in units else {},
                 "score": pair[0], "max": pair[1], "percent": _share(pair)}
                for key, pair in ordered
            ]  # fmt: skip
            summary["descriptors"] = [
                {"label": DESCRIPTOR_LABELS[kind], "score": attempt.descriptor_scores[kind][0],
                 "max": attempt.descriptor_scores[kind][1], "percent": _share(attempt.descriptor_scores[kind])}
                for kind in DESCRIPTOR_KINDS if kind in attempt.descriptor_scores
            ]  # fmt: skip
            if staff or attempt.sitting.spec.get("reveal_answers"):
                summary["answers"] = attempt.items
        summaries.append(summary)
    return summaries


def candidate_panel(application: Application, **_objects: Any) -> dict[str, Any] | None:
    """The candidate's theory test: the sittings he can book, his place (and the admission code, the start), his
    results per unit."""
    if not application.is_owner(current_user):
        return None
    summaries = attempt_summaries(application)
    if application.state != workflow.IN_ASSESSMENT and not summaries:
        return None
    booking = services.active_booking(application)
    return {
        "booking": booking,
        "sittings": services.bookable_sittings(application) if booking is None else [],
        "booking_problem": services.booking_problem(application) if booking is None else None,
        "summaries": summaries,
        "modes": MODES,
        "booking_statuses": BOOKING_STATUSES,
        "action_form": ConfirmForm(),
        "code_form": CodeForm(),
        "in_progress": IN_PROGRESS,
    }


def staff_panel(application: Application, **_objects: Any) -> dict[str, Any] | None:
    """For the administrators on the application page: each attempt's marks per unit and descriptor."""
    if not policy.can_see_scores(application, current_user):
        return None
    summaries = attempt_summaries(application, staff=True)
    if not summaries:
        return None
    return {"summaries": summaries}


def proctor_rows(sitting: Sitting, *, as_json: bool = False) -> list[dict[str, Any]]:
    """Who is in, how far each has got, the time each has left."""
    attempts = {
        attempt.booking_id: attempt
        for attempt in db.session.scalars(select(Attempt).where(Attempt.sitting_id == sitting.id))
    }
    answered = dict(
        db.session.execute(
            select(AttemptItem.attempt_id, func.count(AttemptItem.response))
            .join(Attempt)
            .where(Attempt.sitting_id == sitting.id)
            .group_by(AttemptItem.attempt_id)
        ).all()
    )
    total = sum(int(row["count"]) for row in sitting.spec["rows"])
    rows = []
    for booking in sitting.active_bookings:
        attempt = attempts.get(booking.id)
        row = {
            "booking_id": booking.id,
            "candidate": booking.user.full_name,
            "booking_status": str(BOOKING_STATUSES[booking.status]),
            "admission_code": booking.admission_code,
            "admitted": booking.admitted_at is not None,
            "attempt_id": attempt.id if attempt else None,
            "status": attempt.status if attempt else None,
            "status_label": str(ATTEMPT_STATUSES[attempt.status]) if attempt else "",
            "answered": answered.get(attempt.id, 0) if attempt else 0,
            "total": total,
            "remaining": services.remaining_seconds(attempt) if attempt and attempt.status == IN_PROGRESS else None,
            "extra_minutes": attempt.extra_seconds // 60 if attempt else 0,
        }
        if as_json:
            row["admit_url"] = url_for("exams.admit", booking_id=booking.id)
        rows.append(row)
    return rows


def qualification_panel(qualification, **_objects: Any) -> dict[str, Any] | None:
    """On a qualification's page, for those who write its bank: the way to the bank and the specification."""
    if not policy.can_use_bank(qualification, current_user):
        return None
    return {"can_manage": policy.can_manage(current_user)}


NOTICE_LABELS = {
    services.RESULT_READY: _l("The result of my theory test is ready"),
    services.SITTING_BOOKED: _l("My place in a theory test is booked"),
}


def notice_link(notification: Notification) -> tuple[str, dict]:
    return "applications.application", {"application_id": int(notification.subject_id)}


def describe_notice(notification: Notification) -> str:
    if notification.kind == services.RESULT_READY:
        return _("The result of your theory test for application No. %(id)s is ready.", id=notification.subject_id)
    sitting = db.session.get(Sitting, notification.params.get("sitting_id"))
    when = sitting.starts_at if sitting else None
    from flask_babel import format_datetime

    return _(
        "Your place in the theory test for application No. %(id)s is booked: %(when)s.",
        id=notification.subject_id,
        when=format_datetime(when, "short") if when else "",
    )
