"""What a decision keeps: a copy of everything it rests on (qualification, criteria and their judgements,
results, moderator, evidence, recommendation), so later edits never change what it says."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import current_app

from certcenter.accounts.models import User
from certcenter.applications.models import Application
from certcenter.assessments.common import counting_assignments
from certcenter.assessments.models import ACTIVE, SUBMITTED
from certcenter.assessments.policy import current_moderator
from certcenter.qualifications.criteria import Criterion, criteria_for

if TYPE_CHECKING:
    from certcenter.assessments.decisions import Recommendation


def qualification_snapshot(qualification) -> dict[str, Any]:
    """What a decision keeps of the qualification: enough to print the certificate and the report as they were."""
    level = qualification.level
    return {
        "id": qualification.id,
        "code": qualification.code,
        "title": qualification.title,
        "level": level.number,
        "eqf_level": level.eqf_level,
        "professional_standard": qualification.professional_standard,
        "theory_pass_mark": qualification.theory_pass_mark,
        "practical_pass_mark": qualification.practical_pass_mark,
        "validity_years": qualification.validity_years,
    }


def criterion_snapshot(criterion: Criterion) -> dict[str, Any]:
    """What a decision's snapshot copies of a criterion (its judgements follow it there)."""
    return {
        "key": criterion.key,
        "kind": criterion.kind,
        "code": criterion.code,
        "title": criterion.title if isinstance(criterion.title, dict) else descriptor_titles(criterion.key),
        "text": criterion.text,
        "skills": criterion.skills,
        "knowledge": criterion.knowledge,
    }


def decision_snapshot(application: Application, recommendation: Recommendation) -> dict[str, Any]:
    """Everything the decision rests on, copied, so later edits to the framework or the qualification never
    change what it says."""
    qualification = application.qualification
    finals = {final.criterion_key: final for final in application.final_ratings}
    assignments = [a for a in counting_assignments(application) if a.status == SUBMITTED]
    return {
        "edition": {"id": application.edition.id, "code": application.edition.code, "title": application.edition.title},
        "qualification": qualification_snapshot(qualification)
        | {"version": application.qualification_version.number if application.qualification_version else None},
        "eligibility": application.eligibility,
        "exception_granted": application.exception_granted,
        "criteria": [
            criterion_snapshot(criterion)
            | {
                "final": finals[criterion.key].rating if criterion.key in finals else None,
                "agreed": finals[criterion.key].agreed if criterion.key in finals else None,
                "moderation_reason": finals[criterion.key].moderation_reason if criterion.key in finals else None,
                "moderated_by": _name(finals[criterion.key].moderated_by) if criterion.key in finals else None,
                "assessors": [
                    {
                        "assessor": a.assessor.full_name,
                        "rating": a.rating(criterion.key).rating,
                        "justification": a.rating(criterion.key).justification,
                        "evidence_ids": a.rating(criterion.key).evidence_ids,
                    }
                    for a in assignments
                    if a.rating(criterion.key)
                ],
            }
            for criterion in criteria_for(application)
        ],
        "results": [
            {
                "kind": r.kind,
                "percent": r.percent,
                "taken_on": r.taken_on.isoformat(),
                "notes": r.notes,
                "source": r.source,
                "set_by": _name(r.recorded_by),
                "sitting_id": r.sitting_id,
                "positions": r.positions,
                "moderation_reason": r.moderation_reason,
            }
            for r in application.results
        ],
        "moderator": _moderator_snapshot(application),
        "evidence": [
            {
                "id": item.id,
                "kind": item.kind,
                "filename": item.original_filename,
                "sha256": item.sha256,
                "document_date": item.document_date.isoformat() if item.document_date else None,
            }
            for item in application.evidence
        ],
        "recommendation": {
            "outcome": recommendation.outcome,
            "reasons": recommendation.reasons,
            "advice_level": recommendation.advice_level,
        },
    }


def _name(user: User | None) -> str | None:
    return user.full_name if user is not None else None


def _moderator_snapshot(application: Application) -> dict[str, Any] | None:
    moderator = current_moderator(application)
    if moderator is None or moderator.status != ACTIVE:
        return None
    return {"id": moderator.user_id, "name": moderator.user.full_name, "picked_by": _name(moderator.picked_by)}


def descriptor_titles(key: str) -> dict[str, str]:
    from flask_babel import force_locale

    from certcenter.framework.vocabulary import DESCRIPTOR_LABELS

    kind = key.split(":", 1)[1]
    titles = {}
    for language in current_app.config["LANGUAGES"]:
        with force_locale(language):
            titles[language] = str(DESCRIPTOR_LABELS[kind])
    return titles
