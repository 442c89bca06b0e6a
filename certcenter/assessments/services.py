"""Assessment verbs: assign, declare conflicts, judge, moderate, recommend and decide. None of them commits.

The stable front of the assessment verbs: callers import them from here (``from certcenter.assessments import
services as assessment``), and each lives in the module that owns it:

- ``common``: the refused step, the row lock, the notices sent, how many assessors an application needs;
- ``rounds``: new assessment rounds (an upheld appeal) and an application's rounds as shown;
- ``assignments``: assigning assessors and their declarations of conflicts of interest;
- ``judging``: the evidence an assessor reads, his draft and submitted judgement, the close of marking;
- ``results``: the theory and practical results (the assessors' own, an exam sitting's, the result of record);
- ``moderation``: picking the moderator, his declaration, settling the disagreements;
- ``decisions``: the recommendation and the decision;
- ``snapshots``: what a decision keeps of everything it rests on.
"""

from __future__ import annotations

from certcenter.assessments.assignments import (
    assessors_on_offer,
    assign_assessor,
    available_assessors,
    declare_conflict,
)
from certcenter.assessments.common import (
    ASSIGNED,
    CONFLICT_DECLARED,
    MODERATION_ASKED,
    MODERATOR_CONFLICT,
    MODERATOR_PICKED,
    READY_FOR_DECISION,
    AssessmentError,
    counting_assignments,
    lock_application,
    register_assessors_rule,
    required_assessors,
)
from certcenter.assessments.decisions import Recommendation, decide, decision_edition, recommend
from certcenter.assessments.judging import (
    Agreement,
    agreement,
    education_documents,
    evidence_for_assessor,
    judgement_problems,
    marking_closed,
    save_draft,
    submit_judgement,
)
from certcenter.assessments.moderation import (
    declare_moderator_conflict,
    moderate,
    moderate_result,
    moderation_outstanding,
    moderator_candidates,
    pick_moderator,
)
from certcenter.assessments.policy import (
    round_participants,  # the appeals ask here who took part in a round (panel independence)
)
from certcenter.assessments.results import (
    ResultAgreement,
    exam_result,
    record_exam_result,
    record_own_result,
    result_agreement,
    result_tolerance,
    results_agree,
)
from certcenter.assessments.rounds import ROUND_OPENS_FROM, RoundView, current_round_opened_at, open_round, rounds_of
from certcenter.assessments.snapshots import (
    criterion_snapshot,
    decision_snapshot,
    descriptor_titles,
    qualification_snapshot,
)

__all__ = [
    "ASSIGNED",
    "CONFLICT_DECLARED",
    "MODERATION_ASKED",
    "MODERATOR_CONFLICT",
    "MODERATOR_PICKED",
    "READY_FOR_DECISION",
    "ROUND_OPENS_FROM",
    "Agreement",
    "AssessmentError",
    "Recommendation",
    "ResultAgreement",
    "RoundView",
    "agreement",
    "assessors_on_offer",
    "assign_assessor",
    "available_assessors",
    "counting_assignments",
    "criterion_snapshot",
    "current_round_opened_at",
    "decide",
    "decision_edition",
    "decision_snapshot",
    "declare_conflict",
    "declare_moderator_conflict",
    "descriptor_titles",
    "education_documents",
    "evidence_for_assessor",
    "exam_result",
    "judgement_problems",
    "lock_application",
    "marking_closed",
    "moderate",
    "moderate_result",
    "moderation_outstanding",
    "moderator_candidates",
    "open_round",
    "pick_moderator",
    "qualification_snapshot",
    "recommend",
    "record_exam_result",
    "record_own_result",
    "register_assessors_rule",
    "required_assessors",
    "result_agreement",
    "result_tolerance",
    "results_agree",
    "round_participants",
    "rounds_of",
    "save_draft",
    "submit_judgement",
]
