"""The reports' entries in the audit log, in words (see ``core.audit_catalogue``)."""

from flask_babel import lazy_gettext as _l

WORDS = {
    "actions": {"report.request": _l("Report requested"), "report.retry": _l("Report made again")},
    "fields": {
        "dataset": _l("Register"),
        "format": _l("Format"),
        "filters": _l("Filters"),
        "date_from": _l("From"),
        "date_to": _l("To"),
        "status": _l("Status"),
    },
    "values": {
        "kind": {"assessment": _l("Assessment report"), "export": _l("Export"), "statistics": _l("Statistics")},
        "dataset": {"certificates": _l("Certificates"), "applications": _l("Applications")},
    },
    "targets": {"Report": _l("Report")},
}
