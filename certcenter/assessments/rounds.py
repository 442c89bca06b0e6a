"""Assessment rounds: opening a new round (an upheld appeal) and the rounds of an application as the pages and
the report show them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l

from certcenter.accounts.models import User
from certcenter.applications import policy as case
from certcenter.applications import workflow
from certcenter.applications.models import Application
from certcenter.assessments.common import AssessmentError, lock_application
from certcenter.assessments.models import (
    APPEAL,
    INITIAL,
    ROUND_KINDS,
    AssessmentResult,
    AssessmentRound,
    Assignment,
    Decision,
    FinalRating,
    Moderator,
)
from certcenter.core import audit
from certcenter.extensions import db

# The states from which a new round may be opened, per kind of round.
ROUND_OPENS_FROM = {APPEAL: frozenset({workflow.APPEALED})}


def open_round(
    application: Application, by: User, *, kind: str, reason: str, reference: int | None = None
) -> AssessmentRound:
    """Send the application to a new assessment round (an upheld appeal): the round after the current one, whose
    assessors, moderator and decider must have taken no part in an earlier round. The application goes back to
    the assignment of assessors (``submitted``); the earlier rounds' rows stay as they are. Does not commit."""
    application = lock_application(application.id)
    case.refuse_own_case(application, by, case.ASSIGN)
    if kind not in ROUND_OPENS_FROM:
        raise AssessmentError(_l("An application is sent to a new assessment round only by an upheld appeal."))
    if application.state not in ROUND_OPENS_FROM[kind]:
        raise workflow.TransitionError(
            _l(
                "An application that is “%(state)s” cannot be sent to a new assessment round.",
                state=application.state_label,
            )
        )
    reason = (reason or "").strip()
    if not reason:
        raise AssessmentError(_l("A written reason is required for this step."))
    number = (application.current_round or 1) + 1
    workflow.transition(application, workflow.SUBMITTED, by, reason=reason, round=number)
    application.current_round = number
    opened = AssessmentRound(
        application=application, number=number, kind=kind, opened_by=by, reason=reason, reference=reference
    )
    db.session.add(opened)
    db.session.flush()
    audit.record(
        "assessment.round_opened",
        opened,
        actor=by,
        application_id=application.id,
        round=number,
        kind=kind,
        reference=reference,
    )
    return opened


def current_round_opened_at(application: Application) -> datetime | None:
    """When the round under way was opened (None for the first: it began with the application)."""
    opened = next((r for r in application.assessment_rounds if r.number == application.current_round), None)
    return opened.opened_at if opened is not None else None


@dataclass
class RoundView:
    """One assessment round of an application as the pages and the report show it."""

    number: int
    kind: str
    opened_at: datetime | None
    opened_by: User | None
    reason: str
    reference: int | None
    assignments: list[Assignment]
    results: list[AssessmentResult]
    moderators: list[Moderator]
    final_ratings: list[FinalRating]
    decision: Decision | None
    current: bool

    @property
    def kind_label(self) -> str:
        return str(ROUND_KINDS[self.kind])


def rounds_of(application: Application) -> list[RoundView]:
    """The application's assessment rounds in order, each with its own rows; the last is the current one."""
    opened = {row.number: row for row in application.assessment_rounds}
    current = application.current_round or 1
    views = []
    for number in range(1, current + 1):
        row = opened.get(number)
        views.append(
            RoundView(
                number=number,
                kind=row.kind if row else INITIAL,
                opened_at=row.opened_at if row else application.submitted_at,
                opened_by=row.opened_by if row else None,
                reason=row.reason if row else "",
                reference=row.reference if row else None,
                assignments=[a for a in application.all_assignments if a.round == number],
                results=[r for r in application.all_results if r.round == number],
                moderators=[m for m in application.all_moderators if m.round == number],
                final_ratings=[f for f in application.all_final_ratings if f.round == number],
                decision=next((d for d in application.decisions if d.round == number), None),
                current=number == current,
            )
        )
    return views
