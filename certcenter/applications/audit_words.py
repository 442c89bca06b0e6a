"""The case file's entries in the audit log, in words (see ``core.audit_catalogue``)."""

from flask_babel import lazy_gettext as _l

from certcenter.applications.workflow import STATE_LABELS

WORDS = {
    "actions": {
        "application.create": _l("Application started"),
        "application.transition": _l("Application moved to another state"),
    },
    "fields": {
        "from_state": _l("From"),
        "to_state": _l("To"),
        "eligibility": _l("Eligibility"),
        "pathway": _l("Pathway"),
        "exception": _l("Exception"),
        "disagreements": _l("Criteria the assessors disagree on"),
        "certificate": _l("Certificate"),
    },
    "values": {
        "from_state": STATE_LABELS,
        "to_state": STATE_LABELS,
        "eligibility": {"met": _l("met"), "needs_review": _l("needs review"), "not_met": _l("not met")},
        "exception": {"granted": _l("granted"), "refused": _l("refused")},
    },
    "targets": {"Application": _l("Application")},
}
