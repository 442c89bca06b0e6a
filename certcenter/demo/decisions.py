"""The demo-scale data set's decisions: when marking closes, the final ratings (moderated where the assessors
disagree), the recommendation, and the decision with its snapshot, as far as each has got by now."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from certcenter.applications import workflow as wf
from certcenter.assessments.models import MET, PARTIALLY_MET, PRACTICAL, THEORY
from certcenter.candidates.eligibility import MET as ELIGIBLE
from certcenter.demo.clock import days, office
from certcenter.demo.context import Context
from certcenter.demo.history import History
from certcenter.demo.people import Staff
from certcenter.demo.qualifications import Criterion, DemoQualification

MODERATION_REASONS = [
    "По результатам обсуждения с оценщиками и повторного изучения доказательств.",
    "Бағалаушылармен талқылау және дәлелдерді қайта қарау нәтижесінде.",
    "Видеозапись практического задания подтверждает оценку второго оценщика.",
]
RECOGNITION_ACCEPTED = [
    "Профессиональное признание подтверждено письмами отраслевой ассоциации.",
    "Кәсіби тану салалық қауымдастықтың хаттарымен расталды.",
]
DECISION_COMMENTS = [
    "Рекомендовано пройти курсы повышения квалификации.",
    "Біліктілікті арттыру курсынан өту ұсынылады.",
    "Кандидат может подать заявление повторно после дополнительной практики.",
]

# per criterion key, each counting assessor's (rating, met at level, justification)
Ratings = dict[str, list[tuple[str, int | None, str]]]
Move = Callable[..., bool]  # History.move


class Marking(NamedTuple):
    """What the assessment found by the time marking closed: what the final ratings and the decision rest on."""

    truth: dict[str, str]  # what the evidence really shows, per criterion key
    ratings: Ratings
    submitted: list[tuple[dict, int]]  # the submitted assignments, each with its index in ``ratings``
    results: dict[str, dict[str, Any]]  # the assessment_results rows by kind
    lead: tuple[int, str]  # the lead assessor (id, name)
    closed: datetime  # when the last counting assessor submitted
    assigned: frozenset[int]  # every assessor assigned to the application, conflicted out or not


class Decided(NamedTuple):
    """What follows a decision needs of it."""

    id: int
    outcome: str
    at: datetime
    deciders: list[tuple[int, str]]  # the administrators who may act on the application: none of them moderated it


class Decisions:
    def __init__(self, context: Context, staff: Staff) -> None:
        self.context = context
        self.administrators = staff.administrators
        self.assessors = staff.assessors

    def close(
        self, qualification: DemoQualification, row: dict[str, Any], history: History, marking: Marking
    ) -> Decided | None:
        """Marking has closed: the final ratings, then the decision if by now; returns it."""
        finals, moderator, awaiting = self._finals(row["id"], qualification, marking, history.move)
        if history.state != wf.AWAITING_DECISION:
            return None
        return self._decide(qualification, row, marking, finals, moderator, awaiting, history.move)

    def _finals(
        self, application_id: int, qualification: DemoQualification, marking: Marking, move: Move
    ) -> tuple[dict[str, dict[str, Any]], tuple[int, str] | None, datetime]:
        """Agreed criteria are final, the others wait for moderation. Returns the final ratings, the moderator (if
        any) and when the application came to await its decision."""
        ratings, closed = marking.ratings, marking.closed
        disagreements = [key for key, pair in ratings.items() if pair[0][0] != pair[1][0]]
        target = wf.MODERATION if disagreements else wf.AWAITING_DECISION
        move(target, closed, None)
        finals = {}
        for criterion in qualification.criteria:
            pair = ratings[criterion.key]
            agreed = pair[0][0] == pair[1][0]
            levels = [level for _, level, _ in pair if level]
            finals[criterion.key] = {
                "application_id": application_id,
                "criterion_key": criterion.key,
                "agreed": agreed,
                "rating": pair[0][0] if agreed else None,
                "met_at_level": min(levels) if agreed and levels else None,
                "moderated_by_id": None,
                "moderated_at": None,
                "moderation_reason": None,
            }
        moderator = None
        awaiting = closed
        if disagreements:
            moderator, moderated = self._moderate(qualification, disagreements, finals, marking)
            if moderated is not None:
                awaiting = moderated
                move(wf.AWAITING_DECISION, awaiting, moderator[0])
        for final in finals.values():
            self.context.writer.add("final_ratings", final)
        return finals, moderator, awaiting

    def _moderate(
        self, qualification: DemoQualification, disagreements: list[str], finals: dict[str, dict], marking: Marking
    ) -> tuple[tuple[int, str], datetime | None]:
        """An administrator picks someone who takes no part in the assessment (an assessor not assigned to it, or
        another administrator) to moderate; he declares no conflict and moderates the disputed criteria, one every
        two minutes, mostly to the truth. Returns the moderator and when the last one was moderated (None if not yet
        by now)."""
        rng = self.context.rng
        application_id = finals[disagreements[0]]["application_id"]
        # the shared generator draws as it did when the lead moderated (the rest of the data set stays as it was);
        # which assessor moderates and who picks him are drawn apart, from the application's id
        local = random.Random(application_id)
        if rng.random() < 0.8:  # an assessor not assigned to the application
            moderator = local.choice([a for a in self.assessors if a[0] not in marking.assigned])
        else:
            moderator = rng.choice(self.administrators)
        picker = local.choice([a for a in self.administrators if a != moderator])
        moderated = office(rng, marking.closed + days(rng, 3))
        picked = marking.closed + (moderated - marking.closed) / 3
        if picked <= self.context.now:
            self.context.writer.add(
                "moderators",
                {
                    "application_id": application_id,
                    "user_id": moderator[0],
                    "picked_by_id": picker[0],
                    "picked_at": picked,
                    "status": "active",
                    "declared_at": marking.closed + (moderated - marking.closed) / 2,
                },
            )
        last = moderated + timedelta(minutes=2 * (len(disagreements) - 1))
        if last > self.context.now:
            return moderator, None
        for offset, key in enumerate(disagreements):
            criterion = next(c for c in qualification.criteria if c.key == key)
            true = marking.truth[key]
            value = true if rng.random() < 0.9 else next(v for v, _, _ in marking.ratings[key] if v != true)
            finals[key].update(
                rating=value,
                met_at_level=met_at_level(criterion, value, qualification.level),
                moderated_by_id=moderator[0],
                moderated_at=moderated + timedelta(minutes=2 * offset),
                moderation_reason=rng.choice(MODERATION_REASONS),
            )
        return moderator, last

    def _decide(
        self,
        qualification: DemoQualification,
        row: dict[str, Any],
        marking: Marking,
        finals: dict[str, dict[str, Any]],
        moderator: tuple[int, str] | None,
        awaiting: datetime,
        move: Move,
    ) -> Decided | None:
        """The decision, by an administrator who neither assessed nor moderated: mostly as recommended, but a
        shortfall of eligibility alone is often accepted on professional recognition."""
        rng, now = self.context.rng, self.context.now
        deciders = [a for a in self.administrators if moderator is None or a[0] != moderator[0]]
        decider = rng.choice(deciders)
        decided = office(rng, awaiting + days(rng, 4))
        if decided > now:
            return None
        recommendation = recommend(qualification, row, finals, marking.results)
        outcome = recommendation["outcome"]
        deviation = None
        reasons = recommendation["reasons"]
        only_eligibility = all(reason["code"] == "eligibility" for reason in reasons)
        if outcome == "not_confirmed" and only_eligibility and rng.random() < 0.8:
            outcome, deviation = "confirmed", rng.choice(RECOGNITION_ACCEPTED)
        comment = rng.choice(DECISION_COMMENTS) if outcome == "not_confirmed" and rng.random() < 0.3 else ""
        decision_id = self.context.ids["decisions"]()
        self.context.writer.add(
            "decisions",
            {
                "id": decision_id,
                "application_id": row["id"],
                "edition_id": qualification.edition_id,
                "outcome": outcome,
                "recommended_outcome": recommendation["outcome"],
                "reasons": reasons,
                "advice_level": recommendation["advice_level"],
                "deviation_reason": deviation,
                "comment": comment,
                "decided_by_id": decider[0],
                "decided_at": decided,
                "snapshot": decision_snapshot(qualification, row, marking, finals, recommendation),
            },
        )
        target = wf.CONFIRMED if outcome == "confirmed" else wf.NOT_CONFIRMED
        move(target, decided, decider[0], deviation or comment or None)
        return Decided(id=decision_id, outcome=outcome, at=decided, deciders=deciders)


def met_at_level(criterion: Criterion, value: str, target: int) -> int | None:
    """The level a descriptor is met at when it is not met at the qualification's level."""
    if criterion.kind != "descriptor" or value == MET or target <= 1:
        return None
    return target - 1 if value == PARTIALLY_MET else max(1, target - 2)


def recommend(qualification: DemoQualification, row: dict, finals: dict, results: dict) -> dict[str, Any]:
    """As ``assessments.services.recommend`` does it, from the rows being generated."""
    reasons: list[dict[str, Any]] = []
    if not (row["eligibility_status"] == ELIGIBLE or row["exception_granted"]):
        reasons.append({"code": "eligibility", "status": row["eligibility_status"]})
    for criterion in qualification.criteria:
        final = finals[criterion.key]
        if final["rating"] != MET:
            reasons.append(
                {"code": "criterion", "key": criterion.key, "unit": criterion.unit_code, "rating": final["rating"]}
            )
    pass_marks = ((THEORY, qualification.theory_pass_mark), (PRACTICAL, qualification.practical_pass_mark))
    for kind, pass_mark in pass_marks:
        result = results.get(kind)
        if result is None:
            reasons.append({"code": "result_missing", "kind": kind})
        elif result["percent"] < pass_mark:
            reasons.append({"code": "result_below", "kind": kind, "percent": result["percent"], "pass_mark": pass_mark})
    if not reasons:
        return {"outcome": "confirmed", "reasons": [], "advice_level": None}
    target = qualification.level
    levels = [
        target if finals[key]["rating"] == MET else (finals[key]["met_at_level"] or 0)
        for key in ("descriptor:competence", "descriptor:skills", "descriptor:knowledge")
    ]
    advice = min(levels)
    return {
        "outcome": "not_confirmed",
        "reasons": reasons,
        "advice_level": advice if 1 <= advice < target else None,
    }


def decision_snapshot(
    qualification: DemoQualification,
    row: dict[str, Any],
    marking: Marking,
    finals: dict[str, dict[str, Any]],
    recommendation: dict[str, Any],
) -> dict[str, Any]:
    """What the decision was made on, as ``assessments.services`` records it (no evidence in the demo)."""
    return qualification.snapshot | {
        "eligibility": row["eligibility"],
        "exception_granted": row["exception_granted"],
        "criteria": [
            criterion.snapshot
            | {
                "final": finals[criterion.key]["rating"],
                "agreed": finals[criterion.key]["agreed"],
                "moderation_reason": finals[criterion.key]["moderation_reason"],
                "assessors": [
                    {
                        "assessor": assignment["assessor"][1],
                        "rating": marking.ratings[criterion.key][position][0],
                        "justification": marking.ratings[criterion.key][position][2],
                        "evidence_ids": [],
                    }
                    for assignment, position in marking.submitted
                ],
            }
            for criterion in qualification.criteria
        ],
        "results": [
            {"kind": r["kind"], "percent": r["percent"], "taken_on": r["taken_on"].isoformat(), "notes": r["notes"]}
            for r in marking.results.values()
        ],
        "evidence": [],
        "recommendation": recommendation,
    }
