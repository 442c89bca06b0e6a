"""Appeals' and complaints' entries in the audit log, in words (see ``core.audit_catalogue``)."""

from flask_babel import lazy_gettext as _l

from certcenter.appeals.models import APPEAL_OUTCOMES, APPEAL_SUBJECTS, CATEGORIES, OUTCOMES, SUBJECTS
from certcenter.appeals.policy import VOTE_REFUSALS

WORDS = {
    "actions": {
        "complaint.file": _l("Complaint filed"),
        "complaint.acknowledge": _l("Complaint acknowledged"),
        "complaint.assign": _l("Investigator of a complaint assigned"),
        "complaint.assign_refused": _l("Investigator of a complaint refused: not independent"),
        "complaint.subject": _l("Person complained about identified"),
        "complaint.close": _l("Complaint closed with an outcome"),
        "appeal.lodge": _l("Appeal lodged"),
        "appeal.lodge_refused": _l(
            "Appeal refused: not the candidate's, nothing to appeal against, out of time, or not heard by the centre"
        ),
        "appeal.outcome_refused": _l("Outcome of an appeal refused: it does not apply to what the appeal is against"),
        "appeal.member_seated": _l("Member put on an appeals panel"),
        "appeal.member_refused": _l("Member of an appeals panel refused: not independent"),
        "appeal.member_released": _l("Member released from an appeals panel"),
        "appeal.member_release_refused": _l("Release of a member from an appeals panel refused"),
        "appeal.no_conflict": _l("Member of an appeals panel declared no conflict of interest"),
        "appeal.conflict": _l("Member of an appeals panel declared a conflict of interest"),
        "appeal.vote": _l("Member of an appeals panel voted"),
        "appeal.vote_refused": _l("Vote on an appeal refused"),
        "appeal.close": _l("Appeal decided by the majority of the panel"),
    },
    "fields": {
        "category": _l("Category"),
        "subject_kind": _l("About"),
        "investigator_id": _l("Investigator"),
        "subject_user_id": _l("Person complained about"),
        "outcome": _l("Outcome"),
        "member_id": _l("Member of the panel"),
        "contested": _l("Criteria contested"),
        "application_id": _l("Application"),
        "appeal_id": _l("Appeal"),
        "subject": _l("Appealed against"),
        "refused": _l("Why refused"),
        "dissent": _l("Members who dissented"),
    },
    "values": {
        "category": CATEGORIES,
        "subject_kind": SUBJECTS,
        "outcome": OUTCOMES | APPEAL_OUTCOMES,
        "subject": APPEAL_SUBJECTS,
        "refused": VOTE_REFUSALS,
    },
    "targets": {"Complaint": _l("Complaint"), "Appeal": _l("Appeal")},
}
