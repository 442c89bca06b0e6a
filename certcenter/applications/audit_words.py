"""The case file's entries in the audit log, in words (see ``core.audit_catalogue``)."""

from flask_babel import lazy_gettext as _l

from certcenter.applications import policy
from certcenter.applications.workflow import STATE_LABELS

ACTS = {
    policy.ASSIGN: _l("assign an assessor"),
    policy.DECLARE: _l("declare conflicts of interest"),
    policy.ASSESS: _l("judge the evidence"),
    policy.RECORD_RESULT: _l("record a result"),
    policy.MODERATE: _l("moderate"),
    policy.DECIDE: _l("decide"),
    policy.DECIDE_EXCEPTION: _l("decide on an exception"),
    policy.RESOLVE_ELIGIBILITY: _l("resolve the eligibility"),
    policy.ISSUE: _l("issue the certificate"),
    policy.CERTIFICATE_STATUS: _l("change the certificate"),
    policy.PROCTOR: _l("run the test"),
    policy.REPORT: _l("make the assessment report"),
    policy.DECIDE_NAME_CHANGE: _l("decide on a change of name"),
}
CASE_ROLES = {
    policy.CANDIDATE: _l("the candidate"),
    policy.TOOK_PART: _l("took part in the assessment"),
}

WORDS = {
    "actions": {
        "application.create": _l("Application started"),
        "application.transition": _l("Application moved to another state"),
        "case.refused": _l("Refused: separation of duties"),
        "application.eligibility_resolve": _l("Eligibility judged by an administrator"),
        "application.name_change_request": _l("Change of name requested"),
        "application.name_change_approve": _l("Change of name approved"),
        "application.name_change_refuse": _l("Change of name refused"),
    },
    "fields": {
        "from_state": _l("From"),
        "to_state": _l("To"),
        "eligibility": _l("Eligibility"),
        "pathway": _l("Pathway"),
        "exception": _l("Exception"),
        "disagreements": _l("Criteria the assessors disagree on"),
        "certificate": _l("Certificate"),
        "act": _l("Act"),
        "role": _l("Part in the case"),
        "full_name": _l("Full name"),
        "full_name_latin": _l("Full name in Latin letters"),
        "document_id": _l("Document (No.)"),
        "application_ids": _l("Applications (No.)"),
    },
    "values": {
        "from_state": STATE_LABELS,
        "to_state": STATE_LABELS,
        "eligibility": {"met": _l("met"), "needs_review": _l("needs review"), "not_met": _l("not met")},
        "exception": {"granted": _l("granted"), "refused": _l("refused")},
        "act": ACTS,
        "role": CASE_ROLES,
    },
    "targets": {"Application": _l("Application"), "NameChangeRequest": _l("Request for a change of name")},
}
