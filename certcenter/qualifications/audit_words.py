"""The catalogue's entries in the audit log, in words (see ``core.audit_catalogue``)."""

from flask_babel import lazy_gettext as _l

from certcenter.qualifications.forms import QualificationForm
from certcenter.qualifications.services import FIELDS


def _label(name: str):
    field = getattr(QualificationForm, name)
    return field.kwargs.get("label") or field.args[0]


WORDS = {
    "actions": {
        "qualification.create": _l("Qualification created"),
        "qualification.update": _l("Qualification changed"),
        "qualification.unit_create": _l("Unit added"),
        "qualification.unit_update": _l("Unit changed"),
        "qualification.unit_remove": _l("Unit removed"),
        "qualification.version": _l("New version of the qualification's units"),
    },
    "fields": {"unit": _l("Unit"), "qualification": _l("Qualification")},
    "values": {"changed": {name: _label(name) for name in (*FIELDS, "level_id")}},
    "targets": {"Qualification": _l("Qualification")},
}
