"""The accounts' entries in the audit log, in words (see ``core.audit_catalogue``)."""

from flask_babel import lazy_gettext as _l

from certcenter.accounts.forms import ROLE_LABELS
from certcenter.core.settings import SETTINGS

WORDS = {
    "actions": {
        "user.register": _l("Registered"),
        "user.register_duplicate": _l("Registration with an address already in use"),
        "user.create": _l("Account created by an administrator"),
        "user.login": _l("Signed in"),
        "user.login_failed": _l("Sign-in failed"),
        "user.logout": _l("Signed out"),
        "user.password_change": _l("Password changed"),
        "user.password_check_failed": _l("Wrong current password"),
        "user.password_reset": _l("Temporary password set by an administrator"),
        "user.roles": _l("Roles changed"),
        "user.activate": _l("Account activated"),
        "user.deactivate": _l("Account deactivated"),
        "user.email_verified": _l("E-mail address confirmed"),
        "user.email_change_requested": _l("Change of e-mail address asked for"),
        "user.email_changed": _l("E-mail address changed"),
        "user.verification_resent": _l("Confirmation link sent again"),
        "user.password_recovery_requested": _l("Password recovery asked for"),
        "user.password_recovery_unknown": _l("Password recovery asked for an unknown address"),
        "user.password_recovered": _l("Password recovered by e-mail"),
        "user.notice_preferences": _l("Notice settings changed"),
        "centre.settings": _l("Centre setting changed"),
    },
    "fields": {
        "email": _l("E-mail"),
        "roles": _l("Roles"),
        "old_email": _l("Previous e-mail"),
        "new_email": _l("New e-mail"),
        "by_email": _l("By e-mail"),
        "in_app_only": _l("In the application only"),
        "digest": _l("Daily digest"),
        "setting": _l("Setting"),
        "logo": _l("Logo No."),
    },
    "values": {
        "roles": ROLE_LABELS,
        "before": ROLE_LABELS,
        "after": ROLE_LABELS,
        "setting": {key: setting.label for key, setting in SETTINGS.items()},
    },
    "targets": {"User": _l("User")},
}
