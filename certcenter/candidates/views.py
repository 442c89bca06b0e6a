"""The person's pages: profile, education, experience; and the administrators' page of a candidate."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from certcenter.accounts.forms import ConfirmForm
from certcenter.accounts.models import ADMINISTRATOR, CANDIDATE
from certcenter.candidates import services
from certcenter.candidates.eligibility import format_duration
from certcenter.candidates.forms import EducationForm, ExperienceForm, ProfileForm
from certcenter.candidates.models import CandidateProfile, EducationRecord, ExperienceRecord
from certcenter.core.errors import UserError
from certcenter.core.permissions import role_required
from certcenter.core.views import safe_next
from certcenter.extensions import db
from certcenter.framework.vocabulary import EDUCATION_LEVELS

bp = Blueprint("candidates", __name__)


def _profile_or_redirect():
    profile = services.profile_of(current_user)
    if profile is None:
        flash(_("Fill in your profile first."), "info")
    return profile


def _own(model, object_id: int):
    """An object of the signed-in candidate; anybody else's is 404, so its existence is not revealed."""
    obj = db.session.get(model, object_id)
    profile = services.profile_of(current_user)
    if obj is None or profile is None or obj.candidate_id != profile.id:
        abort(404)
    return obj


@bp.route("/profile", methods=["GET", "POST"])
@role_required(CANDIDATE)
def profile():
    existing = services.profile_of(current_user)
    form = ProfileForm(obj=existing, next=request.args.get("next", ""))
    if existing is None and request.method == "GET":
        form.full_name.data = current_user.full_name
    if form.validate_on_submit():
        try:
            services.save_profile(
                current_user,
                full_name=form.full_name.data,
                full_name_latin=form.full_name_latin.data,
                iin=form.iin.data,
                birth_date=form.birth_date.data,
                phone=form.phone.data,
                employer=form.employer.data,
                position=form.position.data,
            )
        except services.CandidateError as exc:
            getattr(form, exc.field).errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("Your profile has been saved."), "success")
            if form.next.data:
                return redirect(safe_next(form.next.data))
            return redirect(url_for(".education"))
    return render_template("candidates/profile.html", form=form, profile=existing)


@bp.route("/profile/education", methods=["GET", "POST"])
@role_required(CANDIDATE)
def education():
    profile = _profile_or_redirect()
    if profile is None:
        return redirect(url_for(".profile"))
    form = EducationForm()
    if form.validate_on_submit():
        upload = form.document.data if form.document.data and form.document.data.filename else None
        try:
            services.add_education(
                profile,
                actor=current_user,
                level=form.level.data,
                institution=form.institution.data,
                speciality=form.speciality.data,
                year_completed=form.year_completed.data,
                document=upload.stream if upload else None,
                document_name=upload.filename if upload else None,
            )
        except UserError as exc:
            db.session.rollback()
            form.document.errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("The education record has been added."), "success")
            return redirect(url_for(".education"))
    return render_template(
        "candidates/education.html",
        form=form,
        profile=profile,
        education_levels=EDUCATION_LEVELS,
        delete_form=ConfirmForm(),
    )


@bp.post("/profile/education/<int:record_id>/delete")
@role_required(CANDIDATE)
def education_delete(record_id: int):
    record = _own(EducationRecord, record_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.remove_education(record, actor=current_user)
    db.session.commit()
    flash(_("The education record has been removed."), "success")
    return redirect(url_for(".education"))


@bp.route("/profile/experience", methods=["GET", "POST"])
@role_required(CANDIDATE)
def experience():
    profile = _profile_or_redirect()
    if profile is None:
        return redirect(url_for(".profile"))
    form = ExperienceForm()
    if form.validate_on_submit():
        try:
            services.add_experience(
                profile,
                actor=current_user,
                employer=form.employer.data,
                position=form.position.data,
                started_on=form.started_on.data,
                ended_on=form.ended_on.data,
                description=form.description.data,
            )
        except services.CandidateError as exc:
            getattr(form, exc.field).errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("The work experience has been added."), "success")
            return redirect(url_for(".experience"))
    total = services.experience_total(profile)
    return render_template(
        "candidates/experience.html",
        form=form,
        profile=profile,
        total=format_duration(total),
        delete_form=ConfirmForm(),
    )


@bp.post("/profile/experience/<int:record_id>/delete")
@role_required(CANDIDATE)
def experience_delete(record_id: int):
    record = _own(ExperienceRecord, record_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.remove_experience(record, actor=current_user)
    db.session.commit()
    flash(_("The work experience has been removed."), "success")
    return redirect(url_for(".experience"))


@bp.get("/admin/candidates/<int:candidate_id>")
@role_required(ADMINISTRATOR)
def admin_candidate(candidate_id: int):
    candidate = db.get_or_404(CandidateProfile, candidate_id)
    return render_template(
        "candidates/admin_candidate.html",
        candidate=candidate,
        education_levels=EDUCATION_LEVELS,
        total=format_duration(services.experience_total(candidate)),
    )
