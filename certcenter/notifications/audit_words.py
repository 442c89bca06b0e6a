"""The notices' and mails' entries in the audit log, in words (see ``core.audit_catalogue``)."""

from flask_babel import lazy_gettext as _l

WORDS = {
    "actions": {"mail.resend": _l("Mail sent again")},
    "targets": {"OutboxMail": _l("Mail")},
}
