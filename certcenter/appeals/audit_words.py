"""Complaints' entries in the audit log, in words (see ``core.audit_catalogue``)."""

from flask_babel import lazy_gettext as _l

from certcenter.appeals.models import CATEGORIES, OUTCOMES, SUBJECTS

WORDS = {
    "actions": {
        "complaint.file": _l("Complaint filed"),
        "complaint.acknowledge": _l("Complaint acknowledged"),
        "complaint.assign": _l("Investigator of a complaint assigned"),
        "complaint.assign_refused": _l("Investigator of a complaint refused: not independent"),
        "complaint.subject": _l("Person complained about identified"),
        "complaint.close": _l("Complaint closed with an outcome"),
    },
    "fields": {
        "category": _l("Category"),
        "subject_kind": _l("About"),
        "investigator_id": _l("Investigator"),
        "subject_user_id": _l("Person complained about"),
        "outcome": _l("Outcome"),
    },
    "values": {"category": CATEGORIES, "subject_kind": SUBJECTS, "outcome": OUTCOMES},
    "targets": {"Complaint": _l("Complaint")},
}
