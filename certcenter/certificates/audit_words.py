"""The certificates' entries in the audit log, in words (see ``core.audit_catalogue``)."""

from flask_babel import lazy_gettext as _l

from certcenter.certificates.models import STATUS_LABELS

WORDS = {
    "actions": {
        "certificate.issue": _l("Certificate issued"),
        "certificate.render_retry": _l("Certificate sent for rendering again"),
        "certificate.suspend": _l("Certificate suspended"),
        "certificate.reinstate": _l("Certificate reinstated"),
        "certificate.revoke": _l("Certificate revoked"),
        "certificate.reinstate_after_appeal": _l("Revoked certificate valid again: the holder's appeal upheld"),
        "certificate.supersede": _l("Certificate superseded"),
        "certificate.reissue": _l("Certificate reissued"),
        "certificate.expire": _l("Certificate expired"),
        "certificate.renewal_start": _l("Renewal of a certificate started by its holder"),
        "certificate.renewal_cpd": _l("Professional development recorded for a renewal"),
        "certificate.surveillance_submit": _l("Surveillance: the holder confirmed he still practises"),
        "certificate.surveillance_accept": _l("Surveillance accepted"),
        "certificate.surveillance_case": _l("Surveillance: case opened"),
        "certificate.credential_share": _l("Digital credential shared by its holder"),
        "certificate.credential_withdraw": _l("Digital credential withdrawn from sharing by its holder"),
    },
    "fields": {
        "english": _l("English page"),
        "replaces": _l("Replaces"),
        "hours": _l("Hours"),
        "renews": _l("Renews"),
        "note": _l("Note"),
        "appeal": _l("Appeal"),
    },
    "values": {"before": STATUS_LABELS, "after": STATUS_LABELS},
    "targets": {"Certificate": _l("Certificate")},
}
