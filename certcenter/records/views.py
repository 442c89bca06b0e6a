"""The subject's own data (anyone signed in), the privacy notice (anyone), and the administrators' records pages:
the retention schedule with what is due, legal holds, erasure requests."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from certcenter.accounts.models import ADMINISTRATOR
from certcenter.applications.models import Application
from certcenter.core.i18n import centre_today
from certcenter.core.permissions import role_required
from certcenter.core.storage import StorageError, send_stored
from certcenter.extensions import db
from certcenter.records import retention, services
from certcenter.records.forms import ConsentForm, DecisionForm, ErasureForm, HoldForm, ReasonForm
from certcenter.records.models import PENDING, READY, ErasureRequest, LegalHold

bp = Blueprint("records", __name__)


# --- the person -------------------------------------------------------------------------------------------------------


@bp.get("/my-data")
@login_required
def my_data():
    user = current_user._get_current_object()
    requests = db.session.scalars(
        select(ErasureRequest).where(ErasureRequest.user_id == user.id).order_by(ErasureRequest.id.desc())
    ).all()
    return render_template(
        "records/my_data.html",
        data=services.person_data(user),
        export=services.latest_export(user),
        erasure_requests=requests,
        pending=services.pending_erasure(user),
        erasure_form=ErasureForm(),
        form=ReasonForm(),
        consent=services.consent_of(user),
    )


@bp.post("/my-data/export")
@login_required
def request_export():
    if not ReasonForm().validate_on_submit():
        abort(400)
    services.request_export(current_user._get_current_object())
    db.session.commit()
    flash(_("Your data is being gathered; the download appears on this page in a moment."), "success")
    return redirect(url_for(".my_data"))


@bp.get("/my-data/export.zip")
@login_required
def download_export():
    export = services.latest_export(current_user._get_current_object())
    if export is None or export.status != READY or not export.storage_key:
        abort(404)
    try:
        return send_stored(
            export.storage_key,
            size=export.size,
            mimetype="application/zip",
            download_name=f"my-data-{export.finished_at:%Y-%m-%d}.zip",
            etag=export.sha256,
        )
    except StorageError:
        abort(404)


@bp.post("/my-data/erasure")
@login_required
def request_erasure():
    form = ErasureForm()
    if not form.validate_on_submit():
        flash(" ".join(str(error) for error in form.confirm.errors) or _("Check the form."), "error")
        return redirect(url_for(".my_data"))
    services.request_erasure(current_user._get_current_object(), note=form.note.data or "")
    db.session.commit()
    flash(_("Your request has been sent to an administrator; you will be told the decision."), "success")
    return redirect(url_for(".my_data"))


@bp.get("/privacy")
def privacy():
    needs = current_user.is_authenticated and services.needs_consent(current_user)
    return render_template(
        "records/privacy.html",
        version=services.notice_version(),
        schedule=retention.schedule(),
        kinds=retention.KINDS,
        after_cycle=retention.AFTER_CYCLE,
        after_closing=retention.AFTER_CLOSING,
        needs_consent=needs,
        form=ConsentForm(),
    )


@bp.post("/privacy/consent")
@login_required
def consent():
    form = ConsentForm()
    if not form.validate_on_submit():
        flash(" ".join(str(error) for error in form.accept.errors) or _("Check the form."), "error")
        return redirect(url_for(".privacy"))
    services.record_consent(current_user._get_current_object())
    db.session.commit()
    flash(_("Thank you: your consent to this version of the notice is recorded."), "success")
    return redirect(url_for("core.home"))


# --- administrators ---------------------------------------------------------------------------------------------------


@bp.get("/admin/records")
@role_required(ADMINISTRATOR)
def admin_records():
    holds = db.session.scalars(
        select(LegalHold).where(LegalHold.lifted_at.is_(None)).order_by(LegalHold.placed_at.desc())
    ).all()
    requests = db.session.scalars(
        select(ErasureRequest).order_by((ErasureRequest.status == PENDING).desc(), ErasureRequest.id.desc()).limit(50)
    ).all()
    return render_template(
        "records/admin.html",
        schedule=retention.schedule(),
        kinds=retention.KINDS,
        after_cycle=retention.AFTER_CYCLE,
        after_closing=retention.AFTER_CLOSING,
        due=retention.due(),
        today=centre_today(),
        holds=holds,
        requests=requests,
        form=ReasonForm(),
    )


@bp.post("/admin/records/retention")
@role_required(ADMINISTRATOR)
def run_retention():
    if not ReasonForm().validate_on_submit():
        abort(400)
    done = retention.run(actor=current_user._get_current_object())
    db.session.commit()
    flash(_("Retention run: %(count)s records destroyed or anonymised.", count=len(done)), "success")
    return redirect(url_for(".admin_records"))


@bp.post("/admin/records/applications/<int:application_id>/hold")
@role_required(ADMINISTRATOR)
def place_hold(application_id: int):
    application = db.get_or_404(Application, application_id)
    form = HoldForm()
    if not form.validate_on_submit():
        abort(400)
    services.place_hold(application, ground=form.ground.data, reason=form.reason.data or "", actor=current_user)
    db.session.commit()
    flash(_("The application is under a legal hold: retention leaves it as it is."), "success")
    return redirect(request.referrer or url_for(".admin_records"))


@bp.post("/admin/records/holds/<int:hold_id>/lift")
@role_required(ADMINISTRATOR)
def lift_hold(hold_id: int):
    hold = db.get_or_404(LegalHold, hold_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        abort(400)
    services.lift_hold(hold, reason=form.reason.data or "", actor=current_user)
    db.session.commit()
    flash(_("The legal hold is lifted."), "success")
    return redirect(url_for(".admin_records"))


@bp.get("/admin/records/erasure/<int:request_id>")
@role_required(ADMINISTRATOR)
def erasure_request(request_id: int):
    erasure = db.get_or_404(ErasureRequest, request_id)
    plan = services.erasure_plan(erasure.user) if erasure.status == PENDING else None
    preview = services.outcome_lines({"erased": plan.erased, "kept": plan.kept}) if plan else None
    return render_template(
        "records/erasure.html",
        erasure=erasure,
        preview=preview,
        outcome=services.outcome_lines(erasure.outcome),
        form=DecisionForm(),
    )


@bp.post("/admin/records/erasure/<int:request_id>")
@role_required(ADMINISTRATOR)
def decide_erasure(request_id: int):
    erasure = db.get_or_404(ErasureRequest, request_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(400)
    approve = request.form.get("decision") == "approve"
    services.decide_erasure(erasure, approve=approve, reason=form.reason.data or "", actor=current_user)
    db.session.commit()
    flash(_("The request is decided; the person is told."), "success")
    return redirect(url_for(".erasure_request", request_id=erasure.id))
