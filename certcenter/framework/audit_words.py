"""The framework's entries in the audit log, in words (see ``core.audit_catalogue``)."""

from flask_babel import lazy_gettext as _l

from certcenter.framework.vocabulary import DESCRIPTOR_LABELS, EDUCATION_LEVELS

WORDS = {
    "actions": {
        "framework.load": _l("Framework edition loaded"),
        "framework.copy": _l("Framework edition drafted from a copy"),
        "framework.edit": _l("Draft framework edition edited"),
        "framework.publish": _l("Framework edition published"),
        "framework.import": _l("Framework edition imported from a file"),
        "framework.term_add": _l("Glossary term added to a draft framework edition"),
        "framework.term_remove": _l("Glossary term removed from a draft framework edition"),
        "framework.pathway_add": _l("Pathway added to a draft framework edition"),
        "framework.pathway_remove": _l("Pathway removed from a draft framework edition"),
        "framework.level_add": _l("Level added to a draft framework edition"),
        "framework.level_remove": _l("Level removed from a draft framework edition"),
    },
    "fields": {
        "sha256": _l("SHA-256"),
        "code": _l("Code"),
        "source": _l("Copy of"),
        "status": _l("Result"),
        "level": _l("Level"),
        "nqf_level": _l("NQF level"),
        "pathway": _l("Pathway"),
        "term_number": _l("Term number"),
        "term": _l("Term"),
        # the criteria of an assessment named by the descriptors they are
        **{f"descriptor:{kind}": label for kind, label in DESCRIPTOR_LABELS.items()},
    },
    "values": {
        "status": {"created": _l("created"), "updated": _l("updated"), "unchanged": _l("unchanged")},
        "level": {code: level.label for code, level in EDUCATION_LEVELS.items()},
    },
    "targets": {"FrameworkEdition": _l("Framework edition")},
}
