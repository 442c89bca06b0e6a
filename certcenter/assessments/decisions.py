"""The recommendation (confirmed or not, with every reason and the advice of a lower level) and the decision an
administrator records on it, under the framework edition the centre's rule chooses."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l

from certcenter.accounts.models import User
from certcenter.applications import policy as case
from certcenter.applications import workflow
from certcenter.applications.models import Application
from certcenter.assessments import signals
from certcenter.assessments.common import AssessmentError, _criteria, lock_application
from certcenter.assessments.models import MET, PRACTICAL, THEORY, Decision, FinalRating
from certcenter.assessments.policy import can_decide
from certcenter.assessments.snapshots import decision_snapshot
from certcenter.candidates.eligibility import MET as ELIGIBLE
from certcenter.core import audit
from certcenter.core.i18n import centre_today
from certcenter.extensions import db
from certcenter.framework.models import FrameworkEdition
from certcenter.framework.services import edition_in_force


@dataclass
class Recommendation:
    outcome: str
    reasons: list[dict[str, Any]] = field(default_factory=list)
    advice_level: int | None = None


def recommend(application: Application) -> Recommendation:
    """Confirmed only if eligibility is met (or an exception granted), every final rating is "met", and both
    results reach the pass marks. Otherwise not confirmed, with every reason, and where the three NQF descriptors
    are met at a lower level, the highest such level as advice."""
    qualification = application.qualification
    reasons: list[dict[str, Any]] = []
    if not (application.eligibility_status == ELIGIBLE or application.exception_granted):
        reasons.append({"code": "eligibility", "status": application.eligibility_status})
    criteria = _criteria(application)
    finals = {final.criterion_key: final for final in application.final_ratings}
    for key, criterion in criteria.items():
        final = finals.get(key)
        if final is None or final.rating != MET:
            reasons.append(
                {
                    "code": "criterion",
                    "key": key,
                    "unit": criterion.code if criterion.kind == "unit" else None,
                    "rating": final.rating if final else None,
                }
            )
    results = {result.kind: result for result in application.results if result.percent is not None}
    for kind, pass_mark in ((THEORY, qualification.theory_pass_mark), (PRACTICAL, qualification.practical_pass_mark)):
        result = results.get(kind)
        if result is None:
            reasons.append({"code": "result_missing", "kind": kind})
        elif result.percent < pass_mark:
            reasons.append({"code": "result_below", "kind": kind, "percent": result.percent, "pass_mark": pass_mark})
    if not reasons:
        return Recommendation("confirmed")
    return Recommendation("not_confirmed", reasons, _advice_level(application, finals))


def _advice_level(application: Application, finals: dict[str, FinalRating]) -> int | None:
    """The highest lower level at which all three descriptors are met, by the final ratings."""
    target = application.qualification.level.number
    levels = []
    for key in ("descriptor:competence", "descriptor:skills", "descriptor:knowledge"):
        final = finals.get(key)
        if final is None:
            return None
        levels.append(target if final.rating == MET else (final.met_at_level or 0))
    advice = min(levels)
    return advice if 1 <= advice < target else None


def decide(
    application: Application, *, actor: User, outcome: str, deviation_reason: str = "", comment: str = ""
) -> Decision:
    application = lock_application(application.id)
    case.refuse(application, actor, case.DECIDE)
    if application.state != workflow.AWAITING_DECISION:
        raise workflow.TransitionError(_l("A decision is recorded only when the application awaits it."))
    if not can_decide(application, actor):
        raise AssessmentError(_l("Those who assessed or moderated an application do not decide it."))
    if outcome not in ("confirmed", "not_confirmed"):
        raise AssessmentError(_l("Choose the decision."))
    recommendation = recommend(application)
    deviation_reason = deviation_reason.strip()
    if outcome != recommendation.outcome and not deviation_reason:
        raise AssessmentError(_l("A decision that differs from the recommendation needs a written reason."))
    edition, edition_note = decision_edition(application)
    decision = Decision(
        application=application,
        edition_id=edition.id,
        outcome=outcome,
        recommended_outcome=recommendation.outcome,
        reasons=recommendation.reasons,
        advice_level=recommendation.advice_level,
        deviation_reason=deviation_reason if outcome != recommendation.outcome else None,
        comment=comment.strip(),
        decided_by=actor,
        snapshot=decision_snapshot(application, recommendation) | edition_note,
    )
    db.session.add(decision)
    db.session.flush()
    audit.record(
        "assessment.decide",
        decision,
        actor=actor,
        application_id=application.id,
        outcome=outcome,
        recommended=recommendation.outcome,
    )
    target = workflow.CONFIRMED if outcome == "confirmed" else workflow.NOT_CONFIRMED
    workflow.transition(application, target, actor, reason=deviation_reason or comment.strip() or None)
    signals.decision_recorded.send(decision, actor=actor)
    return decision


def decision_edition(application: Application) -> tuple[FrameworkEdition, dict[str, Any]]:
    """The edition the decision is made under, and what its snapshot says when the application's own edition is no
    longer in force: that it was replaced (by which edition, if one is in force) and which the centre's rule
    (``DECISION_EDITION``) chose."""
    own = application.edition
    today = centre_today()
    if own.in_force_on(today):
        return own, {}
    in_force = edition_in_force(today)
    rule = current_app.config["DECISION_EDITION"]
    used = in_force if rule == "in_force" and in_force is not None else own

    def named(edition: FrameworkEdition | None) -> dict[str, Any] | None:
        return None if edition is None else {"id": edition.id, "code": edition.code, "title": edition.title}

    return used, {
        "edition": named(used),
        "edition_replaced": {"own": named(own), "in_force": named(in_force), "rule": rule},
    }
