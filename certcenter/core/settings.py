"""The centre's settings: what the centre calls itself, who signs its certificates, its logo, its public address, its
certificates' number prefix, its deadlines and how long it keeps records.

Administrators change them in the browser (``accounts/settings_views.py``); they are rows of ``centre_settings``, so
every web server and worker sees a change within ``CENTRE_SETTINGS_CACHE_SECONDS`` (the process that made it at
once), without a restart. A setting not yet saved has the configuration's value (``config.py``, then
``instance/config.py``). A deployment fixes a setting by its environment variable (``CERTCENTER_CENTRE_NAME``...): then
the saved value is ignored, and the settings page shows the field as fixed. Every reader asks ``centre_settings()``,
never ``app.config``."""

from __future__ import annotations

import base64
import io
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from flask import Flask, current_app, g, has_app_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, mapped_column

from certcenter.core.errors import UserError
from certcenter.core.models import UTCDateTime, utcnow
from certcenter.core.storage import get_storage, owns_files
from certcenter.extensions import db

LANGUAGES = ("kk", "ru", "en")

# kinds of value
LOCALIZED, TEXT, URL, DAYS, YEARS, LOGO = "localized", "text", "url", "days", "years", "logo"
SWITCH = "switch"  # on or off
PERMANENT = "permanent"  # a retention period the law fixes: shown in its group, never editable


@dataclass(frozen=True)
class Setting:
    key: str
    config_key: str
    kind: str
    label: Any
    hint: Any = None
    group: str = "centre"
    # a setting kept in a mapping of the configuration: its key there (``DEADLINE_DAYS["submitted"]``)
    part: str | None = None


SETTINGS: dict[str, Setting] = {
    setting.key: setting
    for setting in (
        Setting("name", "CENTRE_NAME", LOCALIZED, _l("Name of the centre")),
        Setting("short_name", "CENTRE_SHORT_NAME", LOCALIZED, _l("Short name"), _l("Shown in the page header.")),
        Setting("accreditation", "CENTRE_ACCREDITATION", LOCALIZED, _l("Accreditation")),
        Setting("signatory_name", "CENTRE_SIGNATORY_NAME", LOCALIZED, _l("Signatory's name"), group="certificates"),
        Setting(
            "signatory_position",
            "CENTRE_SIGNATORY_POSITION",
            LOCALIZED,
            _l("Signatory's position"),
            group="certificates",
        ),
        Setting(
            "logo",
            "CENTRE_LOGO",
            LOGO,
            _l("Logo on certificates"),
            _l("A PNG or JPEG image of at most 512 KB and 2000 × 2000 pixels."),
            group="certificates",
        ),
        Setting(
            "certificate_number_prefix",
            "CERTIFICATE_NUMBER_PREFIX",
            TEXT,
            _l("Certificate number prefix"),
            _l("2 to 8 capital Latin letters or digits; the numbers read PREFIX-YEAR-000001."),
            group="certificates",
        ),
        Setting(
            "public_base_url",
            "PUBLIC_BASE_URL",
            URL,
            _l("Public address"),
            _l("The address the public reaches the centre at: certificates' QR codes point there."),
            group="certificates",
        ),
        # One for each workflow state that waits on someone (``applications/deadlines.py``), in ``DEADLINE_DAYS``:
        # the days it may take from the moment the application entered it.
        Setting(
            "assignment_days",
            "DEADLINE_DAYS",
            DAYS,
            _l("Days to assign the assessors"),
            group="deadlines",
            part="submitted",
        ),
        Setting(
            "exception_days",
            "DEADLINE_DAYS",
            DAYS,
            _l("Days to decide on a request for an exception"),
            group="deadlines",
            part="exception_requested",
        ),
        Setting(
            "assessment_days",
            "DEADLINE_DAYS",
            DAYS,
            _l("Days for the assessors' judgements"),
            group="deadlines",
            part="in_assessment",
        ),
        Setting(
            "moderation_days",
            "DEADLINE_DAYS",
            DAYS,
            _l("Days for the moderation of differing judgements"),
            group="deadlines",
            part="moderation",
        ),
        Setting(
            "decision_days",
            "DEADLINE_DAYS",
            DAYS,
            _l("Days to record the decision"),
            group="deadlines",
            part="awaiting_decision",
        ),
        Setting(
            "issue_days",
            "DEADLINE_DAYS",
            DAYS,
            _l("Days to issue the certificate"),
            group="deadlines",
            part="confirmed",
        ),
        Setting(
            "appeal_panel_days",
            "APPEAL_PANEL_DEADLINE_DAYS",
            DAYS,
            _l("Days for the appeals panel's decision"),
            group="deadlines",
        ),
        Setting(
            "appeal_days",
            "APPEAL_DEADLINE_DAYS",
            DAYS,
            _l("Days after a decision to lodge an appeal"),
            group="deadlines",
        ),
        # what may be appealed against besides a decision not to confirm (``appeals.policy``)
        Setting(
            "appeal_certificate_status",
            "APPEAL_AGAINST_CERTIFICATE_STATUS",
            SWITCH,
            _l("The holder may appeal against a suspension or revocation of his certificate"),
            group="appeals",
        ),
        Setting(
            "appeal_lower_level",
            "APPEAL_AGAINST_LOWER_LEVEL",
            SWITCH,
            _l("The candidate not confirmed may contest the lower level his evidence was found to meet"),
            _l("A decision never confirms at a lower level; it may advise the level the evidence meets."),
            group="appeals",
        ),
        Setting(
            "complaint_acknowledge_days",
            "COMPLAINT_ACKNOWLEDGE_DAYS",
            DAYS,
            _l("Days to acknowledge a complaint"),
            group="deadlines",
        ),
        Setting(
            "complaint_resolve_days",
            "COMPLAINT_RESOLVE_DAYS",
            DAYS,
            _l("Days to answer a complaint"),
            group="deadlines",
        ),
        # the retention schedule (records/retention.py reads these, one per kind of record)
        Setting(
            "evidence_retention_years",
            "EVIDENCE_RETENTION_YEARS",
            YEARS,
            _l("Application files and evidence: years kept after the certification cycle ends"),
            group="retention",
        ),
        Setting(
            "assessment_records_retention_years",
            "ASSESSMENT_RECORDS_RETENTION_YEARS",
            YEARS,
            _l("Assessment records (written comments, exam answers): years kept after the certification cycle ends"),
            group="retention",
        ),
        Setting(
            "personal_data_retention_years",
            "PERSONAL_DATA_RETENTION_YEARS",
            YEARS,
            _l("The person's data: years kept after his last certification cycle, profile change or sign-in"),
            group="retention",
        ),
        Setting(
            "complaints_retention_years",
            "COMPLAINTS_RETENTION_YEARS",
            YEARS,
            _l("Complaints: years kept after closing"),
            group="retention",
        ),
        Setting(
            "reports_retention_years",
            "REPORTS_RETENTION_YEARS",
            YEARS,
            _l("Reports and register exports: years kept after they were made"),
            group="retention",
        ),
        Setting(
            "audit_log_retention_years",
            "AUDIT_LOG_RETENTION_YEARS",
            YEARS,
            _l("The audit log: years each entry is kept"),
            group="retention",
        ),
        Setting(
            "data_export_days",
            "DATA_EXPORT_DAYS",
            DAYS,
            _l("Copies of a person's data made at his request: days kept"),
            group="retention",
        ),
        Setting(
            "certificate_register_retention",
            "CERTIFICATE_REGISTER_RETENTION",
            PERMANENT,
            _l("The certificate register"),
            _l("Kept permanently: the law requires it."),
            group="retention",
        ),
    )
}
GROUPS = {
    "centre": _l("The centre"),
    "certificates": _l("Certificates"),
    "deadlines": _l("Deadlines"),
    "appeals": _l("Appeals"),
    "retention": _l("Retention of records"),
}

LOGO_MAX_BYTES = 512 * 1024
LOGO_MAX_PIXELS = 2000
LOGO_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}


class SettingsError(UserError):
    """A setting refused, with the reason."""


class CentreSetting(db.Model):
    """One saved setting; a setting without a row has the configuration's value."""

    __tablename__ = "centre_settings"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)

    def __repr__(self) -> str:
        return f"<CentreSetting {self.key}>"


class CentreLogo(db.Model):
    """An uploaded logo. Never deleted: a certificate issued with it keeps pointing at it, to be drawn again."""

    __tablename__ = "centre_logos"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), nullable=False, unique=True)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    mimetype: Mapped[str] = mapped_column(String(40), nullable=False)
    width: Mapped[int] = mapped_column(Integer, nullable=False)
    height: Mapped[int] = mapped_column(Integer, nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)

    def reference(self) -> dict[str, Any]:
        """What a certificate keeps of the logo it was issued with."""
        return {"key": self.key, "sha256": self.sha256, "mimetype": self.mimetype, "width": self.width,
                "height": self.height}  # fmt: skip

    def __repr__(self) -> str:
        return f"<CentreLogo {self.id} {self.width}x{self.height}>"


owns_files("centre_logos", CentreLogo.key, sha256=CentreLogo.sha256)


class CentreSettings(Mapping):
    """The settings in force: ``centre_settings().name["kk"]``, ``.public_base_url``, ``.fixed`` (the keys the
    environment fixes)."""

    def __init__(self, values: dict[str, Any], fixed: frozenset[str]) -> None:
        self._values = values
        self.fixed = fixed

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def __iter__(self):
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __getattr__(self, key: str) -> Any:
        try:
            return self._values[key]
        except KeyError:
            raise AttributeError(key) from None


def fixed_by_environment(environ: Mapping[str, str], overrides: Mapping[str, Any] = ()) -> frozenset[str]:
    """The settings a deployment fixes: by a ``CERTCENTER_<KEY>`` variable (or ``CERTCENTER_<KEY>__<part>``), or
    by a keyword given to ``create_app``."""
    fixed = set()
    overrides = dict(overrides)
    for setting in SETTINGS.values():
        name = f"CERTCENTER_{setting.config_key}"
        if setting.part is not None:
            given = overrides.get(setting.config_key)
            if (
                name in environ
                or f"{name}__{setting.part}" in environ
                or (isinstance(given, Mapping) and setting.part in given)
            ):
                fixed.add(setting.key)
            continue
        if name in environ or any(variable.startswith(name + "__") for variable in environ):
            fixed.add(setting.key)
        if setting.config_key in overrides:
            fixed.add(setting.key)
    return frozenset(fixed)


def _configured(setting: Setting, config: Mapping[str, Any]) -> Any:
    value = config.get(setting.config_key)
    if setting.part is not None:
        value = (value or {}).get(setting.part)
    if setting.kind == LOCALIZED and isinstance(value, str):
        return dict.fromkeys(LANGUAGES, value)
    if setting.kind in (DAYS, YEARS) and value is not None:
        return int(value)
    if setting.kind == SWITCH:
        return bool(value)
    return value


def _load(app: Flask) -> dict[str, Any]:
    fixed = app.config.get("CENTRE_SETTINGS_FIXED", frozenset())
    saved = {row.key: row.value for row in db.session.scalars(select(CentreSetting))}
    values = {}
    for key, setting in SETTINGS.items():
        if key in saved and key not in fixed and saved[key] is not None:
            values[key] = saved[key]
        else:
            values[key] = _configured(setting, app.config)
    logo_id = values.get("logo")
    if isinstance(logo_id, int):
        logo = db.session.get(CentreLogo, logo_id)
        values["logo"] = logo.reference() if logo is not None else None
    elif not isinstance(logo_id, dict):
        values["logo"] = None
    return values


def centre_settings() -> CentreSettings:
    """The settings in force, read again from the database once ``CENTRE_SETTINGS_CACHE_SECONDS`` have passed (and
    once per request at most)."""
    app = current_app._get_current_object()
    fixed = app.config.get("CENTRE_SETTINGS_FIXED", frozenset())
    memo = g.get("_centre_settings") if has_app_context() else None
    if memo is not None:
        return memo
    ttl = float(app.config.get("CENTRE_SETTINGS_CACHE_SECONDS", 5))
    cached = app.extensions.get("certcenter.centre_settings")
    now = time.monotonic()
    if cached is None or now - cached[0] >= ttl:
        cached = app.extensions["certcenter.centre_settings"] = (now, _load(app))
    settings = CentreSettings(cached[1], fixed)
    g._centre_settings = settings
    return settings


def forget_cached_settings() -> None:
    current_app.extensions.pop("certcenter.centre_settings", None)
    g.pop("_centre_settings", None)


def save_setting(key: str, value: Any, *, actor: Any) -> bool:
    """Save one setting (the caller commits); True if it changed. The audit entry names the setting and the values
    before and after."""
    from certcenter.core import audit
    from certcenter.core.transactions import after_commit

    setting = SETTINGS[key]
    if key in current_app.config.get("CENTRE_SETTINGS_FIXED", frozenset()):
        raise SettingsError(_l("This setting is fixed by the deployment's environment and cannot be changed here."))
    before = centre_settings()[key]
    row = db.session.get(CentreSetting, key)
    stored_before = row.value if row is not None else None
    if setting.kind == LOGO:
        if value == stored_before:
            return False
    elif value == before:
        return False
    if row is None:
        row = CentreSetting(key=key)
        db.session.add(row)
    row.value = value
    row.updated_by_id = getattr(actor, "id", None)
    row.updated_at = utcnow()
    if setting.kind == LOGO:
        audit.record("centre.settings", actor=actor, setting=key, logo=value)
    else:
        audit.record("centre.settings", actor=actor, setting=key, before=before, after=value)
    forget_cached_settings()
    after_commit(forget_cached_settings)
    return True


def store_logo(stream: Any, *, actor: Any) -> CentreLogo:
    """Check an uploaded logo by its content (a PNG or JPEG that decodes, within the size and pixel bounds) and
    store it; the caller saves its id as the ``logo`` setting."""
    from PIL import Image, UnidentifiedImageError

    data = stream.read(LOGO_MAX_BYTES + 1)
    if len(data) > LOGO_MAX_BYTES:
        raise SettingsError(_l("The logo must be at most 512 KB."))
    if not data:
        raise SettingsError(_l("The file is empty."))
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind, (width, height) = image.format, image.size
            if kind not in LOGO_TYPES:
                raise SettingsError(_l("The logo must be a PNG or JPEG image."))
            if width > LOGO_MAX_PIXELS or height > LOGO_MAX_PIXELS or width < 16 or height < 16:
                raise SettingsError(_l("The logo must be between 16 and 2000 pixels wide and high."))
            image.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()  # verify() does not decode the pixels; a truncated image fails only here
    except SettingsError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise SettingsError(_l("The logo must be a PNG or JPEG image.")) from None
    stored = get_storage().save(io.BytesIO(data), prefix="centre_logos")
    logo = CentreLogo(
        key=stored.key,
        sha256=stored.sha256,
        mimetype=LOGO_TYPES[kind],
        width=width,
        height=height,
        size=stored.size,
        uploaded_by_id=getattr(actor, "id", None),
    )
    db.session.add(logo)
    db.session.flush([logo])
    return logo


def logo_data_uri(reference: Mapping[str, Any] | None) -> str | None:
    """A logo a certificate keeps, as a data: URI for the PDF (the renderer fetches nothing else)."""
    if not reference:
        return None
    return _data_uri(reference["key"], reference["mimetype"])


@lru_cache(maxsize=8)
def _data_uri(key: str, mimetype: str) -> str:
    # a stored file is never overwritten: its key names the same bytes for ever
    with get_storage().open(key) as handle:
        data = handle.read()
    return f"data:{mimetype};base64,{base64.b64encode(data).decode('ascii')}"


def update_settings(values: Mapping[str, Any], *, logo_stream: Any = None, actor: Any) -> list[str]:
    """Save the settings a form sent (the fixed ones are left out) and a new logo if one came; the caller commits.
    Returns the keys that changed."""
    fixed = current_app.config.get("CENTRE_SETTINGS_FIXED", frozenset())
    changed = []
    for key, value in values.items():
        if key in fixed or SETTINGS[key].kind == LOGO:
            continue
        if save_setting(key, value, actor=actor):
            changed.append(key)
    if logo_stream is not None and "logo" not in fixed:
        logo = store_logo(logo_stream, actor=actor)
        if save_setting("logo", logo.id, actor=actor):
            changed.append("logo")
    return changed


def remove_logo(*, actor: Any) -> bool:
    """Certificates issued from now on carry no logo (those issued with one keep it)."""
    return save_setting("logo", None, actor=actor) if centre_settings().logo else False
