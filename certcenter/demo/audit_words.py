"""The demo's entries in the audit log, in words (see ``core.audit_catalogue``)."""

from flask_babel import lazy_gettext as _l

WORDS = {
    "actions": {"demo.generate": _l("Demo-scale data generated")},
    "fields": {
        "applications": _l("Applications"),
        "batch": _l("Batch"),
        "seed": _l("Seed"),
        "years": _l("Years"),
        "rows": _l("Rows"),
        "qualifications_created": _l("Qualifications added"),
    },
}
