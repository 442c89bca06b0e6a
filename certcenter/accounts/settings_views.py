"""The centre settings page for administrators, on the administrators' blueprint."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from certcenter.accounts.models import ADMINISTRATOR
from certcenter.accounts.settings_forms import CentreSettingsForm
from certcenter.accounts.views import admin_bp
from certcenter.core.i18n import supported_locales
from certcenter.core.permissions import role_required
from certcenter.core.settings import (
    GROUPS,
    LOCALIZED,
    LOGO,
    PERMANENT,
    SETTINGS,
    SettingsError,
    centre_settings,
    remove_logo,
    update_settings,
)
from certcenter.core.storage import send_stored
from certcenter.extensions import db


@admin_bp.route("/settings", methods=["GET", "POST"])
@role_required(ADMINISTRATOR)
def centre_settings_page():
    settings = centre_settings()
    form = CentreSettingsForm()
    for key in settings.fixed:  # fixed by the environment: shown as text, neither checked nor saved
        if key in form:
            del form[key]
    if "logo" in settings.fixed:
        del form["remove_logo"]
    if form.validate_on_submit():
        values = {key: _cleaned(form[key].data) for key in SETTINGS if key in form and SETTINGS[key].kind != LOGO}
        upload = form["logo"].data if "logo" in form else None
        try:
            changed = update_settings(values, logo_stream=upload.stream if upload else None, actor=current_user)
            if not upload and "remove_logo" in form and form["remove_logo"].data and remove_logo(actor=current_user):
                changed.append("logo")
        except SettingsError as error:
            db.session.rollback()
            form["logo"].errors = [*form["logo"].errors, str(error)]
        else:
            db.session.commit()
            flash(_("Settings saved.") if changed else _("Nothing was changed."), "success" if changed else "info")
            return redirect(url_for("admin.centre_settings_page"))
    elif not form.is_submitted():
        for key in SETTINGS:
            if key in form and SETTINGS[key].kind != LOGO:
                _fill(form[key], settings[key])
    groups = [
        (label, [setting for setting in SETTINGS.values() if setting.group == group]) for group, label in GROUPS.items()
    ]
    return render_template("admin/settings.html", form=form, groups=groups, settings=settings, LOCALIZED=LOCALIZED,
                           LOGO=LOGO, PERMANENT=PERMANENT)  # fmt: skip


def _cleaned(data):
    if isinstance(data, dict):
        return {language: (data.get(language) or "").strip() for language in supported_locales()}
    return data.strip() if isinstance(data, str) else data


def _fill(field, value) -> None:
    if isinstance(value, dict):
        for language in supported_locales():
            field[language].data = value.get(language, "")
    else:
        field.data = value


@admin_bp.route("/settings/logo")
@role_required(ADMINISTRATOR)
def centre_logo():
    """The logo in force, as the settings page shows it."""
    logo = centre_settings().logo
    if not logo:
        abort(404)
    return send_stored(logo["key"], size=None, mimetype=logo["mimetype"], download_name="logo", etag=logo["sha256"],
                       as_attachment=False)  # fmt: skip
