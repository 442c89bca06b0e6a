"""The assessment's entries in the audit log, in words (see ``core.audit_catalogue``)."""

from flask_babel import lazy_gettext as _l

from certcenter.assessments.models import CONFLICT_KINDS, RATING_LABELS, RESULT_KINDS, RESULT_SOURCES, ROUND_KINDS

OUTCOMES = {"confirmed": _l("Qualification confirmed"), "not_confirmed": _l("Qualification not confirmed")}

WORDS = {
    "actions": {
        "assessment.assign": _l("Assessor assigned"),
        "assessment.no_conflict": _l("Assessor declared no conflict of interest"),
        "assessment.conflict": _l("Assessor declared a conflict of interest"),
        "assessment.result": _l("Result recorded"),
        "assessment.submit": _l("Judgement submitted"),
        "assessment.moderate": _l("Rating moderated"),
        "assessment.moderate_result": _l("Result moderated"),
        "assessment.moderator_pick": _l("Moderator picked"),
        "assessment.moderator_no_conflict": _l("Moderator declared no conflict of interest"),
        "assessment.moderator_conflict": _l("Moderator declared a conflict of interest"),
        "assessment.decide": _l("Decision recorded"),
        "assessment.round_opened": _l("New assessment round opened"),
        "assessment.assign_refused": _l("Assignment refused: the person took part in an earlier round"),
        "assessment.scope_add": _l("Assessor's scope of competence recorded"),
        "assessment.scope_end": _l("Assessor's scope of competence withdrawn"),
    },
    "fields": {
        "assessor_id": _l("Assessor (user No.)"),
        "lead": _l("Lead assessor"),
        "kind": _l("Kind"),
        "percent": _l("Result, %"),
        "ratings": _l("Ratings"),
        "results": _l("Results, %"),
        "source": _l("Source of the result"),
        "moderator_id": _l("Moderator (user No.)"),
        "criterion": _l("Criterion"),
        "rating": _l("Rating"),
        "outcome": _l("Decision"),
        "recommended": _l("Recommendation"),
        "levels": _l("NQF levels"),
        "field": _l("Field of activity"),
        "valid_until": _l("Valid until"),
        "round": _l("Assessment round"),
        "reference": _l("Reference (appeal No.)"),
    },
    "values": {
        "kind": {**CONFLICT_KINDS, **RESULT_KINDS, **ROUND_KINDS},
        "rating": RATING_LABELS,
        "ratings": RATING_LABELS,
        "source": RESULT_SOURCES,
        "outcome": OUTCOMES,
        "recommended": OUTCOMES,
    },
    "targets": {
        "Assignment": _l("Assignment"),
        "Decision": _l("Decision"),
        "AssessmentRound": _l("Assessment round"),
        "AssessorScope": _l("Assessor's scope"),
        "Moderator": _l("Moderator"),
    },
}
