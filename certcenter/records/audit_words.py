"""The records' entries in the audit log, in words (see ``core.audit_catalogue``)."""

from flask_babel import lazy_gettext as _l

from certcenter.records.models import HOLD_GROUNDS
from certcenter.records.retention import KINDS

WORDS = {
    "actions": {
        "records.erasure_refused_own": _l("Decision on a request about one's own data refused"),
        "records.retention_run": _l("Retention run"),
        "records.destroy": _l("Records destroyed (retention period ended)"),
        "records.anonymise": _l("Personal data anonymised"),
        "records.hold_place": _l("Legal hold placed"),
        "records.hold_lift": _l("Legal hold lifted"),
        "records.consent": _l("Consent to the privacy notice given"),
        "records.export_request": _l("Copy of personal data requested"),
        "records.erasure_request": _l("Erasure of an account requested"),
        "records.erasure_approve": _l("Erasure of an account approved"),
        "records.erasure_refuse": _l("Erasure of an account refused"),
    },
    "fields": {
        "kind": _l("Kind of record"),
        "kinds": _l("Kinds of record"),
        "cause": _l("Cause"),
        "files": _l("Files"),
        "entries": _l("Entries"),
        "report_kind": _l("Report"),
        "ground": _l("Ground"),
        "version": _l("Version"),
        "erased": _l("Erased"),
        "kept": _l("Kept"),
        "count": _l("Count"),
        "answers": _l("Written exam answers cleared"),
    },
    "values": {
        "kind": KINDS,
        "ground": HOLD_GROUNDS,
        "cause": {"retention": _l("Retention schedule"), "erasure": _l("The person's request")},
    },
    "targets": {
        "ErasureRequest": _l("Erasure request"),
        "DataExport": _l("Copy of personal data"),
        "CandidateProfile": _l("Candidate profile"),
        "AuditEntry": _l("Audit log"),
        "Report": _l("Report"),
        "ComplaintSubject": _l("The person a complaint is about"),
    },
}
