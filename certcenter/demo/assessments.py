"""The demo-scale data set's assessments: two assessors assigned (a declared conflict of interest brings a third),
their ratings of each criterion and the theory and practical results, as far as each has got by now; then, once
marking has closed, the decision (``decisions``)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from certcenter.applications import workflow as wf
from certcenter.assessments.models import MET, NOT_MET, PARTIALLY_MET, PRACTICAL, THEORY
from certcenter.demo.clock import awake, days, office
from certcenter.demo.context import Context
from certcenter.demo.decisions import Decided, Decisions, Marking, Ratings, met_at_level
from certcenter.demo.history import History
from certcenter.demo.people import Candidate, Staff
from certcenter.demo.qualifications import DemoQualification

CONFLICTS = [
    ("same_employer", None),
    ("trained_candidate", None),
    ("relative", None),
    ("other", "Ранее работали в одной бригаде."),
]
JUSTIFICATIONS = {
    MET: [
        "Представленные доказательства подтверждают выполнение критерия в полном объёме.",
        "Практическое задание выполнено самостоятельно и без замечаний; отзыв работодателя это подтверждает.",
        "Ұсынылған дәлелдер критерийдің толық орындалғанын растайды.",
        "Практикалық тапсырма өз бетінше және ескертусіз орындалды; жұмыс берушінің ұсынымы мұны растайды.",
    ],
    PARTIALLY_MET: [
        "Критерий выполнен частично: доказательств недостаточно для подтверждения самостоятельной работы.",
        "Часть требований подтверждена, однако нет доказательств за последние три года.",
        "Критерий ішінара орындалды: өз бетінше жұмыс істегенін растайтын дәлелдер жеткіліксіз.",
    ],
    NOT_MET: [
        "Доказательства не подтверждают выполнение критерия; практическое задание выполнено с грубыми ошибками.",
        "Дәлелдер критерийдің орындалғанын растамайды; практикалық тапсырма өрескел қателермен орындалды.",
    ],
}
PRACTICAL_NOTES = ["", "", "", "Практическое задание выполнено на базе центра.", "Тапсырма жұмыс орнында орындалды."]


class Assessments:
    def __init__(self, context: Context, staff: Staff) -> None:
        self.context = context
        self.assessors = staff.assessors
        self.decisions = Decisions(context, staff)

    def assess(
        self,
        candidate: Candidate,
        qualification: DemoQualification,
        row: dict[str, Any],
        history: History,
        moment: datetime,
        admin: int,
    ) -> Decided | None:
        """Assignments, judgements, results, final ratings, moderation and the decision of a screened application
        (``row``, moving along ``history``); returns the decision when one is made by now."""
        rng, now, move = self.context.rng, self.context.now, history.move
        application_id = row["id"]
        cut = now
        assignments = self._assign(moment)
        counting = [a for a in assignments if "conflict" not in a]
        # The application moves into assessment when its second assessor is assigned.
        started = assignments[1]["assigned_at"]
        move(wf.IN_ASSESSMENT, started, admin)
        # The first assessor assigned leads; when the lead declares a conflict, the next one takes over.
        lead = counting[0]["assessor"]
        theory_on, practical_on, results_recorded, closed = self._schedule(started, counting)
        if rng.random() < 0.012:  # withdrawn while being assessed
            withdrawn = awake(rng, started + (closed - started) * rng.random())
            if move(wf.WITHDRAWN, withdrawn, candidate.user_id):
                cut = withdrawn
        truth, failing_results = self._truth(qualification, row["created_at"])
        ratings = self._ratings(qualification, truth)
        submitted = self._write_assignments(application_id, qualification, admin, assignments, ratings, cut)
        results = {}
        if results_recorded <= cut:
            dates = {THEORY: theory_on, PRACTICAL: practical_on}
            results = self._write_results(application_id, qualification, dates, failing_results, lead, results_recorded)
        if cut < closed or history.state != wf.IN_ASSESSMENT:
            return None
        assigned = frozenset(a["assessor"][0] for a in assignments)
        marking = Marking(truth, ratings, submitted, results, lead, closed, assigned)
        return self.decisions.close(qualification, row, history, marking)

    def _assign(self, moment: datetime) -> list[dict[str, Any]]:
        """Two assessors; each declares within a day or so, and one who declares a conflict is replaced."""
        rng, assessors = self.context.rng, self.assessors
        first, second = rng.sample(assessors, 2)
        assignments = [
            {"assessor": first, "assigned_at": moment},
            {"assessor": second, "assigned_at": moment + timedelta(minutes=rng.randrange(1, 40))},
        ]
        taken = {first[0], second[0]}
        for assignment in list(assignments):
            assignment["declared_at"] = awake(rng, assignment["assigned_at"] + days(rng, 1, 0.8))
            if rng.random() < 0.02:  # a declared conflict of interest: another assessor is assigned
                assignment["conflict"] = rng.choice(CONFLICTS)
                replacement = rng.choice([a for a in assessors if a[0] not in taken])
                taken.add(replacement[0])
                assigned_at = office(rng, assignment["declared_at"] + days(rng, 1, 0.5))
                assignments.append(
                    {
                        "assessor": replacement,
                        "assigned_at": assigned_at,
                        "declared_at": awake(rng, assigned_at + days(rng, 1, 0.8)),
                    }
                )
        return assignments

    def _schedule(self, started: datetime, counting: list[dict]) -> tuple[date, date, datetime, datetime]:
        """The theory and practical test dates, when the results are recorded, and when marking closes (each
        counting assessor submits a few days after both the results and their own declaration)."""
        rng = self.context.rng
        theory_on = (started + days(rng, 10, 0.3)).date()
        practical_on = theory_on + timedelta(days=rng.randrange(0, 8))
        results_recorded = office(rng, datetime(*practical_on.timetuple()[:3], 6, tzinfo=UTC) + days(rng, 1, 0.5))
        ready = max(results_recorded, *(a["declared_at"] for a in counting))
        for assignment in counting:
            assignment["submitted_at"] = awake(rng, ready + days(rng, 4, 0.7))
        closed = max(a["submitted_at"] for a in counting)
        return theory_on, practical_on, results_recorded, closed

    def _truth(self, qualification: DemoQualification, created: datetime) -> tuple[dict[str, str], set[str]]:
        """What the evidence really shows per criterion, and which results fall below the pass mark (confirmation
        rates improve a little over the period)."""
        rng, start, now = self.context.rng, self.context.start, self.context.now
        progress = (created - start) / (now - start)
        passed = rng.random() < qualification.confirmation + 0.04 * (progress - 0.5)
        failing_criteria: set[str] = set()
        failing_results: set[str] = set()
        if not passed:
            mode = rng.random()
            if mode < 0.7:
                pool = [c.key for c in qualification.criteria]
                failing_criteria = set(rng.sample(pool, rng.choice((1, 1, 1, 2))))
            if mode >= 0.45:
                failing_results = (
                    {rng.choice((THEORY, THEORY, PRACTICAL))} if rng.random() < 0.85 else {THEORY, PRACTICAL}
                )
        truth = {
            c.key: (rng.choice((PARTIALLY_MET, PARTIALLY_MET, NOT_MET)) if c.key in failing_criteria else MET)
            for c in qualification.criteria
        }
        return truth, failing_results

    def _ratings(self, qualification: DemoQualification, truth: dict[str, str]) -> Ratings:
        """How each of the two counting assessors sees each criterion: mostly the truth, sometimes one of them not."""
        rng = self.context.rng
        ratings: Ratings = {}
        for criterion in qualification.criteria:
            true = truth[criterion.key]
            values = [true, true]
            if rng.random() > (0.88 if true == MET else 0.6):
                odd = {MET: PARTIALLY_MET, NOT_MET: PARTIALLY_MET}.get(true) or rng.choice((MET, MET, NOT_MET))
                values[rng.randrange(2)] = odd
            ratings[criterion.key] = [
                (
                    value,
                    met_at_level(criterion, value, qualification.level),
                    rng.choice(JUSTIFICATIONS[value]),
                )
                for value in values
            ]
        return ratings

    def _write_assignments(
        self,
        application_id: int,
        qualification: DemoQualification,
        admin: int,
        assignments: list[dict],
        ratings: Ratings,
        cut: datetime,
    ) -> list[tuple[dict, int]]:
        """The assignments and their judgements as far as they have got by ``cut``; returns the submitted ones,
        each with its index in ``ratings``."""
        rng, ids, writer = self.context.rng, self.context.ids, self.context.writer
        counting = [a for a in assignments if "conflict" not in a]
        submitted_assignments = []
        lead_by_now = next(
            (a for a in assignments if a["assigned_at"] <= cut and not ("conflict" in a and a["declared_at"] <= cut)),
            None,
        )
        for assignment in assignments:
            if assignment["assigned_at"] > cut:
                continue
            assignment_id = ids["assignments"]()
            declared = assignment["declared_at"] <= cut
            conflict = assignment.get("conflict") if declared else None
            submitted = declared and not conflict and assignment["submitted_at"] <= cut
            status = "pending" if not declared else "conflict" if conflict else "submitted" if submitted else "active"
            writer.add(
                "assignments",
                {
                    "id": assignment_id,
                    "application_id": application_id,
                    "assessor_id": assignment["assessor"][0],
                    "assigned_by_id": admin,
                    "assigned_at": assignment["assigned_at"],
                    "is_lead": assignment is lead_by_now,
                    "status": status,
                    "declared_at": assignment["declared_at"] if declared else None,
                    "conflict_kind": conflict[0] if conflict else None,
                    "conflict_note": conflict[1] if conflict else None,
                    "draft_saved_at": assignment["submitted_at"] - timedelta(minutes=rng.randrange(2, 90))
                    if submitted
                    else None,
                    "submitted_at": assignment["submitted_at"] if submitted else None,
                },
            )
            if submitted:
                position = counting.index(assignment)
                submitted_assignments.append((assignment, position))
                self._write_judgement(assignment_id, qualification, ratings, position)
        return submitted_assignments

    def _write_judgement(
        self, assignment_id: int, qualification: DemoQualification, ratings: Ratings, position: int
    ) -> None:
        for criterion in qualification.criteria:
            value, level, justification = ratings[criterion.key][position]
            self.context.writer.add(
                "criterion_ratings",
                {
                    "assignment_id": assignment_id,
                    "criterion_key": criterion.key,
                    "rating": value,
                    "justification": justification,
                    "evidence_ids": [],
                    "met_at_level": level,
                },
            )

    def _write_results(
        self,
        application_id: int,
        qualification: DemoQualification,
        dates: dict[str, date],
        failing: set[str],
        lead: tuple[int, str],
        recorded: datetime,
    ) -> dict[str, dict[str, Any]]:
        """The theory and practical results, recorded by the lead assessor; those in ``failing`` below the pass
        mark."""
        rng = self.context.rng
        results = {}
        for kind, pass_mark in (
            (THEORY, qualification.theory_pass_mark),
            (PRACTICAL, qualification.practical_pass_mark),
        ):
            if kind in failing:
                percent = pass_mark - 1 - int(rng.betavariate(1.5, 3) * (pass_mark - 25))
            else:
                percent = min(100, pass_mark + int(rng.betavariate(2, 2.2) * (101 - pass_mark)))
            results[kind] = {
                "application_id": application_id,
                "kind": kind,
                "percent": percent,
                "taken_on": dates[kind],
                "notes": rng.choice(PRACTICAL_NOTES) if kind == PRACTICAL else "",
                "recorded_by_id": lead[0],
                "recorded_at": recorded + timedelta(minutes=5 if kind == PRACTICAL else 0),
            }
            self.context.writer.add("assessment_results", results[kind])
        return results
