"""The demo-scale data set's applications: which qualification a candidate applies for, and each application's
life up to now as a history that is a valid path through ``workflow.TRANSITIONS`` (draft, submission with its
eligibility and profile snapshots, an exception request, screening, then the assessment and what follows the
decision: a certificate or an appeal)."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import force_locale

from certcenter.applications import workflow as wf
from certcenter.candidates.eligibility import MET as ELIGIBLE
from certcenter.candidates.eligibility import (
    NEEDS_REVIEW,
    Eligibility,
    PathwayResult,
    describe_shortfall,
    experience_days,
)
from certcenter.candidates.eligibility import NOT_MET as INELIGIBLE
from certcenter.demo.assessments import Assessments
from certcenter.demo.certificates import Certificates
from certcenter.demo.clock import awake, days, office
from certcenter.demo.context import Context
from certcenter.demo.decisions import Decided
from certcenter.demo.history import History
from certcenter.demo.people import Candidate, Staff
from certcenter.demo.qualifications import DemoQualification
from certcenter.framework.rules import Facts, evaluate

EXCEPTION_REQUESTS = [
    "Имею более десяти лет стажа по специальности, но диплом колледжа утерян; прошу учесть архивную справку.",
    "Колледжді 2008 жылы бітірдім, диплом жоғалды; мұрағаттық анықтаманы қарауды сұраймын.",
    "Образование получено за рубежом, процедура признания диплома ещё не завершена.",
    "Практический опыт подтверждается трудовой книжкой, но часть стажа не отражена в электронной базе.",
]
EXCEPTION_GRANTED = [
    "Архивная справка подтверждает образование; исключение предоставлено.",
    "Тәжірибе еңбек кітапшасымен расталды; ерекшелік берілді.",
]
EXCEPTION_REFUSED = [
    "Представленные документы не подтверждают требуемый уровень образования.",
    "Ұсынылған құжаттар талап етілетін білім деңгейін растамайды.",
]
SCREENING_REFUSALS = [
    "Сведения об образовании не совпадают с представленным дипломом.",
    "Білім туралы мәліметтер ұсынылған дипломмен сәйкес келмейді.",
]
RECOGNITION_REFUSALS = [
    "Общественное профессиональное признание не подтверждено документами.",
    "Қоғамдық кәсіби тану құжаттармен расталмаған.",
]
APPEALS = [
    "Не согласен с оценкой практического задания: условия проведения не соответствовали регламенту.",
    "Теориялық тест нәтижесімен келіспеймін; кейбір сұрақтар біліктілікке қатысты емес.",
    "Прошу пересмотреть оценку критерия: доказательства были представлены, но не учтены.",
]
APPEAL_UPHELD = ["Апелляционная комиссия признала нарушение процедуры; назначена повторная оценка."]
APPEAL_DISMISSED = [
    "Апелляционная комиссия не выявила нарушений; решение оставлено в силе.",
    "Апелляциялық комиссия бұзушылық анықтаған жоқ; шешім күшінде қалдырылды.",
]


class Applications:
    def __init__(
        self,
        context: Context,
        qualifications: list[DemoQualification],
        staff: Staff,
        assessments: Assessments,
        certificates: Certificates,
    ) -> None:
        self.context = context
        self.qualifications = qualifications
        self.by_id = {qualification.id: qualification for qualification in qualifications}
        self.weights = [qualification.weight for qualification in qualifications]
        self.administrators = staff.administrators
        self.assessments, self.certificates = assessments, certificates
        self.states: Counter = Counter()

    def choose_qualification(self, candidate: Candidate | None, created: datetime) -> DemoQualification:
        rng = self.context.rng
        if candidate is None or not candidate.applications:
            return rng.choices(self.qualifications, self.weights)[0]
        # Open applications block their qualification (one at a time); a refused one may be tried again.
        blocked = {
            qualification_id
            for qualification_id, state, since in candidate.applications
            if not (state in (wf.NOT_CONFIRMED, wf.NOT_ELIGIBLE, wf.WITHDRAWN) and since < created)
        }
        retry = [
            qualification_id
            for qualification_id, state, since in candidate.applications
            if qualification_id not in blocked and state != wf.WITHDRAWN
        ]
        if retry and rng.random() < 0.6:
            return self.by_id[retry[-1]]
        level = self.by_id[candidate.applications[-1][0]].level
        options = [q for q in self.qualifications if q.id not in blocked and level <= q.level <= level + 1]
        options = options or [q for q in self.qualifications if q.id not in blocked] or self.qualifications
        return rng.choice(options)

    def application(self, candidate: Candidate, qualification: DemoQualification, created: datetime) -> None:
        """One application's life from its creation up to now, written as rows."""
        application_id = self.context.ids["applications"]()
        history = History(application_id, self.context.now)
        row: dict[str, Any] = {
            "id": application_id,
            "candidate_id": candidate.profile_id,
            "qualification_id": qualification.id,
            "edition_id": qualification.edition_id,
            "form_token": None,
            "submitted_at": None,
            "eligibility_status": None,
            "eligibility": {},
            "profile_snapshot": {},
            "exception_request": None,
            "exception_granted": None,
            "current_round": 1,
            "created_at": created,
        }
        self._live(candidate, qualification, row, history)
        last = history.events[-1]["at"] if history.events else created
        row.update(state=history.state, state_changed_at=last, updated_at=last, version=1 + len(history.events))
        self.context.writer.add("applications", row)
        for event in history.events:
            self.context.writer.add("application_events", event)
        self.states[history.state] += 1
        candidate.applications.append((qualification.id, history.state, last))

    def _live(self, candidate: Candidate, qualification: DemoQualification, row: dict, history: History) -> None:
        """The moves, as far as they have got by now: each step returns early when the application stops."""
        rng, now, move = self.context.rng, self.context.now, history.move
        candidate_id = candidate.user_id
        # draft: a few are abandoned or withdrawn; the rest are submitted within days
        draw = rng.random()
        if draw < 0.035:
            return
        if draw < 0.055:
            move(wf.WITHDRAWN, awake(rng, row["created_at"] + days(rng, 9)), candidate_id)
            return
        moment = awake(rng, row["created_at"] + days(rng, 3, 1.0))
        if moment > now:
            return
        row["eligibility"] = self._eligibility(candidate, qualification, moment.date())
        row["eligibility_status"] = eligibility = row["eligibility"]["status"]
        row["profile_snapshot"] = profile_snapshot(candidate)
        row["submitted_at"] = moment
        admin = rng.choice(self.administrators)[0]
        if eligibility == INELIGIBLE:
            moment = self._exception(candidate_id, row, history, moment, admin)
            if moment is None:
                return
        else:
            move(wf.SUBMITTED, moment, candidate_id)

        # screening by an administrator: refused, withdrawn, or two assessors assigned
        moment = office(rng, moment + days(rng, 2))
        draw = rng.random()
        if (eligibility == NEEDS_REVIEW and draw < 0.35) or draw < 0.012:
            reasons = RECOGNITION_REFUSALS if eligibility == NEEDS_REVIEW else SCREENING_REFUSALS
            move(wf.NOT_ELIGIBLE, moment, admin, rng.choice(reasons))
            return
        if draw < 0.025:
            move(wf.WITHDRAWN, awake(rng, moment), candidate_id)
            return
        decided = self.assessments.assess(candidate, qualification, row, history, moment, admin)
        if decided is None:
            return
        if decided.outcome == "confirmed":
            self.certificates.issue(candidate, qualification, history, decided)
        else:
            self._appeal(candidate_id, row, history, decided)

    def _exception(
        self, candidate_id: int, row: dict, history: History, moment: datetime, admin: int
    ) -> datetime | None:
        """An ineligible candidate asks for an exception; an administrator grants it (the application is then
        submitted: returns that moment) or refuses it (returns None, as when it stops before)."""
        rng, move = self.context.rng, history.move
        row["exception_request"] = request = rng.choice(EXCEPTION_REQUESTS)
        move(wf.EXCEPTION_REQUESTED, moment, candidate_id, request)
        moment = office(rng, moment + days(rng, 5))
        if rng.random() < 0.05:
            move(wf.WITHDRAWN, moment, candidate_id)
            return None
        grant = rng.random() < 0.4
        reason = rng.choice(EXCEPTION_GRANTED if grant else EXCEPTION_REFUSED)
        if not move(wf.SUBMITTED if grant else wf.NOT_ELIGIBLE, moment, admin, reason):
            return None
        row["exception_granted"] = grant
        return moment if grant else None

    def _appeal(self, candidate_id: int, row: dict, history: History, decided: Decided) -> None:
        """A tenth of the refused candidates appeal."""
        rng, now, move = self.context.rng, self.context.now, history.move
        if rng.random() >= 0.1:
            return
        appealed = awake(rng, decided.at + days(rng, 8))
        if not move(wf.APPEALED, appealed, candidate_id, rng.choice(APPEALS)):
            return
        resolved = office(rng, appealed + days(rng, 10))
        deciders = decided.deciders
        # An upheld appeal sends the application to a second assessment round, back to the assignment of assessors
        # who took no part before (the generator assesses no second round: it waits there). Only recent appeals
        # are upheld, so that none waits for years.
        if rng.random() < 0.3 and resolved > now - timedelta(days=120):
            upholder, reason = rng.choice(deciders)[0], rng.choice(APPEAL_UPHELD)
            if move(wf.SUBMITTED, resolved, upholder, reason):
                row["current_round"] = 2
                self.context.writer.add(
                    "assessment_rounds",
                    {
                        "application_id": row["id"],
                        "number": 2,
                        "kind": "appeal",
                        "opened_at": resolved,
                        "opened_by_id": upholder,
                        "reason": reason,
                        "reference": None,
                    },
                )
        else:
            move(wf.NOT_CONFIRMED, resolved, rng.choice(deciders)[0], rng.choice(APPEAL_DISMISSED))

    @staticmethod
    def _eligibility(candidate: Candidate, qualification: DemoQualification, day: date) -> dict[str, Any]:
        """As ``candidates.eligibility.evaluate_eligibility`` does it, from the candidate being generated."""
        facts = Facts(
            education=frozenset(record["level"] for record in candidate.education),
            experience_days=experience_days(candidate.jobs, day),
        )
        results = []
        with force_locale(candidate.language):
            for code, text_, rule in qualification.pathways:
                outcome = evaluate(rule, facts)
                missing = [] if outcome.met else [describe_shortfall(short, facts) for short in outcome.shortfalls]
                shortfalls = [] if outcome.met else outcome.shortfalls
                results.append(
                    PathwayResult(code=code, text=text_, met=outcome.met, missing=missing, shortfalls=shortfalls)
                )
        outcomes = [result.met for result in results]
        status = ELIGIBLE if True in outcomes else NEEDS_REVIEW if None in outcomes else INELIGIBLE
        return Eligibility(status=status, pathways=results, facts=facts).snapshot()


def profile_snapshot(candidate: Candidate) -> dict[str, Any]:
    """What an application records of the profile at submission."""
    return {
        "full_name": candidate.full_name,
        "full_name_latin": candidate.full_name_latin,
        "iin": candidate.iin,
        "birth_date": candidate.birth_date.isoformat(),
        "employer": candidate.employer,
        "position": candidate.position,
        "education": [record | {"document_id": None} for record in candidate.education],
        "experience": [
            {
                "employer": job.employer,
                "position": job.position,
                "started_on": job.started_on.isoformat(),
                "ended_on": job.ended_on.isoformat() if job.ended_on else None,
            }
            for job in candidate.jobs
        ],
    }
