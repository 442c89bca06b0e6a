"""Issuing and the register (administrators). The blueprint's other routes are registered on it by
``download_views`` (the holder's downloads), ``verify_views`` (verification and the JSON API, for anyone), and
``renewal_views``, ``surveillance_views`` and ``appeal_views``."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from kombu.exceptions import OperationalError as BrokerError
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from certcenter.accounts.models import ADMINISTRATOR
from certcenter.applications import policy as case
from certcenter.applications import workflow
from certcenter.applications.models import Application
from certcenter.candidates.models import CandidateProfile
from certcenter.certificates import services
from certcenter.certificates.forms import IssueForm, LifecycleForm
from certcenter.certificates.models import FAILED, STATUS_LABELS, STATUSES, Certificate
from certcenter.certificates.tasks import queue_rendering
from certcenter.core.ids import id_list_or_400, ids_or_400
from certcenter.core.models import AuditEntry
from certcenter.core.permissions import role_required
from certcenter.core.transactions import broker_unreachable, note_broker_unreachable
from certcenter.extensions import db

bp = Blueprint("certificates", __name__)


def _queue(ids: list[int]) -> bool:
    """Queue rendering; if the broker is unreachable the certificates stay queued and the periodic sweep sends
    them once it is back, so nothing is lost."""
    if broker_unreachable():  # a publish already waited out its timeout in this request
        current_app.logger.warning("broker unreachable; certificates %s wait for the sweep", ids)
        return False
    try:
        queue_rendering(ids, current_app.config["CERTIFICATE_RENDER_BATCH"])
    except (BrokerError, OSError):
        note_broker_unreachable()
        current_app.logger.warning("broker unreachable; certificates %s wait for the sweep", ids)
        return False
    return True


@bp.get("/admin/certificates")
@role_required(ADMINISTRATOR)
def register():
    query = request.args.get("q", "").strip()
    status = request.args.get("status", "")
    statement = select(Certificate).order_by(Certificate.id.desc())
    if query:
        pattern = f"%{query}%"
        statement = statement.where(
            or_(
                Certificate.number.ilike(pattern),
                Certificate.holder_name.ilike(pattern),
                Certificate.holder_name_latin.ilike(pattern),
            )
        )
    if status in STATUSES:
        statement = statement.where(Certificate.status == status)
    page = db.paginate(statement, per_page=50)
    failed = db.session.scalar(select(func.count()).where(Certificate.render_status == FAILED))
    return render_template(
        "certificates/register.html",
        page=page,
        query=query,
        status=status,
        status_labels=STATUS_LABELS,
        failed=failed,
        retry_form=LifecycleForm(),
    )


@bp.post("/admin/certificates/retry-failed")
@role_required(ADMINISTRATOR)
def retry_failed():
    """Every certificate whose rendering failed, queued again at once (each retry audited)."""
    if not LifecycleForm().validate_on_submit():
        abort(400)
    ids = services.retry_failed_renders(actor=current_user)
    db.session.commit()
    if not ids:
        flash(_("No certificate is waiting for its rendering to be retried."), "info")
        return redirect(url_for(".register"))
    flash(
        ngettext(
            "%(num)d certificate is being rendered again.", "%(num)d certificates are being rendered again.", len(ids)
        ),
        "success",
    )
    if not _queue(ids):
        flash(_("The task queue is unreachable; rendering starts as soon as it is back."), "info")
    if len(ids) > 1000:  # more than a progress page follows
        return redirect(url_for(".register"))
    return redirect(url_for(".progress", ids=",".join(map(str, ids))))


@bp.route("/admin/certificates/issue", methods=["GET", "POST"])
@role_required(ADMINISTRATOR)
def issue():
    form = IssueForm()
    if form.validate_on_submit():
        ids = ids_or_400(request.form.getlist("application"))
        if not ids:
            flash(_("Choose at least one application."), "error")
            return redirect(url_for(".issue"))
        try:
            result = services.issue_certificates(ids, actor=current_user, english=form.english.data)
            db.session.commit()
        except IntegrityError:
            # another administrator issued the same certificates at this moment: theirs stand
            db.session.rollback()
            flash(_("These certificates have just been issued by someone else."), "info")
            return redirect(url_for(".register"))
        for _application_id, message in result.skipped:
            flash(str(message), "info")
        issued = result.issued
        if issued and not _queue(issued):
            flash(_("The task queue is unreachable; rendering starts as soon as it is back."), "info")
        return redirect(url_for(".progress", ids=",".join(map(str, issued))))
    statement = (
        select(Application)
        .where(Application.state == workflow.CONFIRMED)
        .options(selectinload(Application.candidate), selectinload(Application.decisions))
        .order_by(Application.state_changed_at, Application.id)
    )
    # one's own application is not offered (issuing it would be refused: separation of duties)
    own = select(CandidateProfile.id).where(CandidateProfile.user_id == current_user.id)
    statement = statement.where(Application.candidate_id.not_in(own))
    text = request.args.get("q", "").strip()
    if text:
        statement = statement.where(
            Application.candidate_id.in_(
                select(CandidateProfile.id).where(
                    or_(
                        CandidateProfile.full_name.ilike(f"%{text}%"),
                        CandidateProfile.full_name_latin.ilike(f"%{text}%"),
                    )
                )
            )
        )
    page = db.paginate(statement, per_page=current_app.config["ADMIN_LIST_PER_PAGE"])
    waiting = [application for application in page.items if case.may(application, current_user, case.ISSUE)]
    return render_template("certificates/issue.html", form=form, page=page, applications=waiting, query=text)


def _ids_arg() -> list[int]:
    return id_list_or_400(request.args.get("ids"), limit=1000)


@bp.get("/admin/certificates/progress")
@role_required(ADMINISTRATOR)
def progress():
    return render_template("certificates/progress.html", ids=_ids_arg())


@bp.get("/admin/certificates/status.json")
@role_required(ADMINISTRATOR)
def status_json():
    ids = _ids_arg()
    certificates = db.session.scalars(select(Certificate).where(Certificate.id.in_(ids))).all() if ids else []
    return jsonify(
        {
            "total": len(certificates),
            "ready": sum(c.render_status == "ready" for c in certificates),
            "failed": sum(c.render_status == "failed" for c in certificates),
            "items": [
                {
                    "id": c.id,
                    "number": c.number,
                    "holder": c.holder_name,
                    "render_status": c.render_status,
                    "url": url_for(".detail", certificate_id=c.id),
                }
                for c in certificates
            ],
        }
    )


@bp.get("/admin/certificates/<int:certificate_id>")
@role_required(ADMINISTRATOR)
def detail(certificate_id: int):
    certificate = db.get_or_404(Certificate, certificate_id)
    history = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.target_type == "Certificate", AuditEntry.target_id == str(certificate.id))
        .order_by(AuditEntry.at.desc())
    ).all()
    return render_template(
        "certificates/detail.html",
        certificate=certificate,
        form=LifecycleForm(),
        history=history,
        status_labels=STATUS_LABELS,
    )


@bp.post("/admin/certificates/<int:certificate_id>/<any(suspend, reinstate, revoke, reissue, retry):action>")
@role_required(ADMINISTRATOR)
def lifecycle(certificate_id: int, action: str):
    certificate = db.get_or_404(Certificate, certificate_id)
    form = LifecycleForm()
    if not form.validate_on_submit():
        abort(400)
    reason = form.reason.data or ""
    target = certificate
    try:
        if action == "suspend":
            services.suspend(certificate, actor=current_user, reason=reason)
        elif action == "reinstate":
            services.reinstate(certificate, actor=current_user, reason=reason)
        elif action == "revoke":
            services.revoke(certificate, actor=current_user, reason=reason)
        elif action == "reissue":
            target = services.reissue(certificate, actor=current_user, reason=reason, english=form.english.data)
        else:
            services.retry_render(certificate, actor=current_user)
    except services.CertificateError as exc:
        db.session.rollback()
        abort(409, description=str(exc.message))
    db.session.commit()
    if action in ("reissue", "retry"):
        _queue([target.id])
        return redirect(url_for(".progress", ids=str(target.id)))
    flash(_("The certificate is now: %(status)s.", status=STATUS_LABELS[certificate.status]), "success")
    return redirect(url_for(".detail", certificate_id=certificate.id))
