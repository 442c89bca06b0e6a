"""The person's entries in the audit log, in words (see ``core.audit_catalogue``)."""

from flask_babel import lazy_gettext as _l

WORDS = {
    "actions": {
        "candidate.profile_create": _l("Profile filled in"),
        "candidate.profile_update": _l("Profile changed"),
        "candidate.education_add": _l("Education added"),
        "candidate.education_remove": _l("Education removed"),
        "candidate.experience_add": _l("Work experience added"),
        "candidate.experience_remove": _l("Work experience removed"),
    },
    "targets": {
        "CandidateProfile": _l("Profile"),
        "EducationRecord": _l("Education record"),
        "ExperienceRecord": _l("Work experience record"),
    },
}
