"""The evidence's entries in the audit log, in words (see ``core.audit_catalogue``)."""

from flask_babel import lazy_gettext as _l

WORDS = {
    "actions": {
        "evidence.add": _l("Evidence uploaded"),
        "evidence.remove": _l("Evidence removed"),
        "evidence.map": _l("Evidence mapped to criteria"),
    },
    "fields": {
        "content_type": _l("Type"),
        "size": _l("Size, bytes"),
        "filename": _l("File name"),
        "criteria": _l("Criteria"),
    },
    "targets": {"EvidenceItem": _l("Evidence item")},
}
