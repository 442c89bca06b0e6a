"""The audit log in words: what each action, field and value means, in the reader's language.

The log stores codes (``certificate.revoke``, ``{"before": "valid", "english": true}``), so an entry means the same
whatever the language of the person who caused it. Each domain registers the actions it records, the fields of their
details and the vocabularies of their values (``register``), from its own ``init_app``; the log's pages and its CSV
export tell an entry with ``describe``. ``tests/core/test_audit_catalogue.py`` holds that every action the code
records and every field it passes has words here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import Flask
from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l

from certcenter.core.i18n import localized
from certcenter.core.models import AuditEntry
from certcenter.core.registry import Registry

_actions = Registry("audit.actions")  # action -> label
_fields = Registry("audit.fields")  # detail key -> label
_values = Registry("audit.values")  # detail key -> {code: label}
_targets = Registry("audit.targets")  # class name -> label

# Fields every domain's entries may carry, told here once.
COMMON_FIELDS = {
    "reason": _l("Reason"),
    "keys": _l("Files"),
    "all_failed": _l("With every failed one"),
    "application_id": _l("Application No."),
    "number": _l("Number"),
    "before": _l("Before"),
    "after": _l("After"),
    "count": _l("Count"),
    "changed": _l("Changed"),
}
YES, NO, NOTHING = _l("yes"), _l("no"), "—"


def register(
    app: Flask,
    *,
    actions: Mapping[str, Any] = (),
    fields: Mapping[str, Any] = (),
    values: Mapping[str, Mapping[str, Any]] = (),
    targets: Mapping[str, Any] = (),
) -> None:
    """What a domain's entries mean: its actions, the fields of their details, the words for coded values (per
    field), and its kinds of object."""
    for registry, entries in ((_actions, actions), (_fields, fields), (_targets, targets)):
        for key, value in dict(entries).items():
            registry.add(app, key, value)
    for key, vocabulary in dict(values).items():
        # one field may carry codes of several domains ("kind" of a result, of a conflict, of a report): their words
        # are merged (the codes differ)
        _values.add(app, key, {**(_values.get_for(app, key) or {}), **vocabulary})


def init_app(app: Flask) -> None:
    app.add_template_global(describe, "describe_audit")
    register(
        app,
        actions={"storage.orphans_deleted": _l("Files no record refers to were deleted")},
        fields=COMMON_FIELDS,
    )


def action_label(action: str) -> str:
    return str(_actions.get(action) or action)


def action_choices() -> list[tuple[str, str]]:
    """Every action with words, for the log's filter, in the order of their words."""
    return sorted(((action, str(label)) for action, label in _actions.items()), key=lambda item: item[1].lower())


def target_choices() -> list[tuple[str, str]]:
    return sorted(((name, str(label)) for name, label in _targets.items()), key=lambda item: item[1].lower())


def field_label(key: str) -> str:
    return str(_fields.get(key) or key)


def value_words(key: str, value: Any) -> str:
    """A detail's value in words: coded values by their field's vocabulary, yes/no, lists, dates in the centre's
    time zone, texts in the reader's language."""
    if value is None or value == "" or value == []:
        return NOTHING
    if isinstance(value, bool):
        return str(YES if value else NO)
    vocabulary = _values.get(key)
    if isinstance(value, list):
        return ", ".join(value_words(key, item) for item in value)
    if isinstance(value, Mapping):
        if set(value) <= {"kk", "ru", "en"}:
            return localized(value)
        return "; ".join(f"{field_label(k)}: {value_words(k, v)}" for k, v in value.items())
    if vocabulary and str(value) in vocabulary:
        return str(vocabulary[str(value)])
    if isinstance(value, datetime):
        return format_datetime(value, "short")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


@dataclass
class Described:
    entry: AuditEntry
    action: str
    target: str
    details: list[tuple[str, str]]


def describe(entry: AuditEntry) -> Described:
    target = ""
    if entry.target_type:
        target = f"{_targets.get(entry.target_type) or entry.target_type} № {entry.target_id}"
    details = [(field_label(key), value_words(key, value)) for key, value in (entry.details or {}).items()]
    return Described(entry, action_label(entry.action), target, details)
