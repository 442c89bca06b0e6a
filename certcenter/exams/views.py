"""The bank, the specification and the imports (authors and administrators); sittings and their proctoring; the
candidate's test; the assessors' decisions on short answers; the item analysis."""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from certcenter.accounts.forms import ConfirmForm
from certcenter.accounts.models import ADMINISTRATOR, ASSESSOR, CANDIDATE, User
from certcenter.applications import policy as case
from certcenter.applications.models import Application
from certcenter.core.forms import choices
from certcenter.core.permissions import role_required
from certcenter.exams import entry, policy, services, transfer
from certcenter.exams.forms import (
    AddTimeForm,
    BlueprintForm,
    CodeForm,
    ImportForm,
    QtiImportForm,
    QuestionForm,
    ReasonForm,
    SittingForm,
)
from certcenter.exams.models import (
    KINDS,
    MODES,
    QUESTION_STATUSES,
    SITTING_STATUSES,
    Attempt,
    AttemptItem,
    Booking,
    Question,
    Sitting,
)
from certcenter.extensions import db
from certcenter.framework.vocabulary import DESCRIPTOR_KINDS, DESCRIPTOR_LABELS
from certcenter.qualifications.models import Qualification

bp = Blueprint("exams", __name__, url_prefix="/exams")


def _bank(qualification_id: int) -> Qualification:
    qualification = db.get_or_404(Qualification, qualification_id)
    if not policy.can_use_bank(qualification, current_user):
        abort(403)
    return qualification


def _question(question_id: int) -> Question:
    question = db.get_or_404(Question, question_id)
    if not policy.can_use_bank(question.qualification, current_user):
        abort(403)
    return question


@bp.get("")
@role_required(ADMINISTRATOR, ASSESSOR)
def index():
    qualifications = db.session.scalars(select(Qualification).order_by(Qualification.code)).all()
    proctoring = db.session.scalars(
        select(Sitting).where(Sitting.proctor_id == current_user.id).order_by(Sitting.starts_at.desc()).limit(20)
    ).all()
    return render_template(
        "exams/index.html",
        qualifications=[q for q in qualifications if policy.can_use_bank(q, current_user)],
        proctoring=proctoring,
        reviews=len(services.pending_reviews(current_user)) if current_user.has_role(ASSESSOR) else 0,
        can_manage=policy.can_manage(current_user),
        statuses=SITTING_STATUSES,
    )


# --- the bank -------------------------------------------------------------------------------------------------------


@bp.get("/qualifications/<int:qualification_id>/questions")
@role_required(ADMINISTRATOR, ASSESSOR)
def bank(qualification_id: int):
    qualification = _bank(qualification_id)
    statement = (
        select(Question)
        .where(Question.qualification_id == qualification.id)
        .options(selectinload(Question.versions))
        .order_by(Question.id)
    )
    status = request.args.get("status", "")
    if status in QUESTION_STATUSES:
        statement = statement.where(Question.status == status)
    unit = request.args.get("unit", type=int)
    if unit:
        statement = statement.where(Question.unit_id == unit)
    return render_template(
        "exams/bank.html",
        qualification=qualification,
        page=db.paginate(statement, per_page=50),
        counts=services.bank_counts(qualification),
        status=status,
        unit=unit,
        kinds=KINDS,
        statuses=QUESTION_STATUSES,
        descriptor_kinds=DESCRIPTOR_KINDS,
        descriptor_labels=DESCRIPTOR_LABELS,
    )


def _question_form(qualification: Qualification, **kwargs) -> QuestionForm:
    form = QuestionForm(**kwargs)
    form.unit_id.choices = choices({unit.id: f"{unit.code} · {_localized(unit.title)}" for unit in qualification.units})
    return form


def _localized(text) -> str:
    from certcenter.core.i18n import localized

    return localized(text)


def _parse(form: QuestionForm):
    content, errors = entry.parse_fields(
        form.kind.data,
        stem=form.stem.data,
        options=form.options.data,
        correct=form.correct.data or "",
        value=form.value.data or "",
        tolerance=form.tolerance.data or "",
        accepted=form.accepted.data or "",
        points=form.points.data,
    )
    for name, message in errors.items():
        field = getattr(form, name, None)
        (field.errors if field is not None and isinstance(field.errors, list) else form.form_errors).append(message)
    return content


@bp.route("/qualifications/<int:qualification_id>/questions/new", methods=["GET", "POST"])
@role_required(ADMINISTRATOR, ASSESSOR)
def new_question(qualification_id: int):
    qualification = _bank(qualification_id)
    form = _question_form(qualification, kind=request.args.get("kind", "single"))
    if form.validate_on_submit():
        content = _parse(form)
        if content is not None:
            try:
                question = services.create_question(
                    qualification,
                    actor=current_user,
                    unit_id=form.unit_id.data,
                    descriptor=form.descriptor.data,
                    content=content,
                    code=form.code.data,
                )
            except services.ExamError as exc:
                form.form_errors.append(exc.message)
            else:
                db.session.commit()
                flash(_("The question has been saved as a draft; a second person approves it."), "success")
                return redirect(url_for(".question", question_id=question.id))
    return render_template("exams/question.html", qualification=qualification, form=form, question=None), (
        400 if form.is_submitted() else 200
    )


@bp.route("/questions/<int:question_id>", methods=["GET", "POST"])
@role_required(ADMINISTRATOR, ASSESSOR)
def question(question_id: int):
    question = _question(question_id)
    qualification = question.qualification
    if request.method == "GET":
        fields = entry.fields_of(services.content_of(question.current))
        form = _question_form(
            qualification,
            kind=question.kind,
            code=question.code,
            unit_id=question.unit_id,
            descriptor=question.descriptor,
            points=fields["points"],
            stem=fields["stem"],
            options=fields["options"],
            correct=fields["correct"],
            value=fields["value"],
            tolerance=fields["tolerance"],
            accepted=fields["accepted"],
        )
    else:
        form = _question_form(qualification)
        form.kind.data = question.kind
        if not policy.can_edit_question(question, current_user):
            abort(403)
        if form.validate_on_submit():
            content = _parse(form)
            if content is not None:
                try:
                    services.edit_question(
                        question,
                        actor=current_user,
                        unit_id=form.unit_id.data,
                        descriptor=form.descriptor.data,
                        content=content,
                    )
                except services.ExamError as exc:
                    form.form_errors.append(exc.message)
                else:
                    db.session.commit()
                    flash(_("The question has been saved as a draft; a second person approves it."), "success")
                    return redirect(url_for(".question", question_id=question.id))
        db.session.rollback()
    return render_template(
        "exams/question.html",
        qualification=qualification,
        form=form,
        question=question,
        can_approve=policy.can_approve(question, current_user),
        can_retire=policy.can_retire(question, current_user),
        can_edit=policy.can_edit_question(question, current_user),
        action_form=ConfirmForm(),
        statuses=QUESTION_STATUSES,
        kinds=KINDS,
    ), (400 if request.method == "POST" else 200)


@bp.post("/questions/<int:question_id>/approve")
@role_required(ADMINISTRATOR, ASSESSOR)
def approve(question_id: int):
    question = _question(question_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not policy.can_approve(question, current_user):
        abort(403)
    services.approve_question(question, actor=current_user)
    db.session.commit()
    flash(_("The question has been approved."), "success")
    return redirect(url_for(".question", question_id=question.id))


@bp.post("/questions/<int:question_id>/retire")
@role_required(ADMINISTRATOR, ASSESSOR)
def retire(question_id: int):
    question = _question(question_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not policy.can_retire(question, current_user):
        abort(403)
    services.retire_question(question, actor=current_user)
    db.session.commit()
    flash(_("The question has been retired; sittings that showed it keep it."), "success")
    return redirect(url_for(".question", question_id=question.id))


# --- import and export ----------------------------------------------------------------------------------------------


def _transfer_page(qualification: Qualification, status: int = 200, **objects):
    qti_form = objects.pop("qti_form", None) or QtiImportForm()
    qti_form.unit_id.choices = choices({unit.id: unit.code for unit in qualification.units})
    return render_template(
        "exams/transfer.html",
        qualification=qualification,
        form=objects.pop("form", None) or ImportForm(),
        qti_form=qti_form,
        problems=objects.pop("problems", []),
    ), status


@bp.get("/qualifications/<int:qualification_id>/transfer")
@role_required(ADMINISTRATOR, ASSESSOR)
def transfer_page(qualification_id: int):
    return _transfer_page(_bank(qualification_id))


@bp.get("/qualifications/<int:qualification_id>/template.xlsx")
@role_required(ADMINISTRATOR, ASSESSOR)
def xlsx_template(qualification_id: int):
    qualification = _bank(qualification_id)
    return _download(
        transfer.xlsx_template(qualification), f"{qualification.code}-questions-template.xlsx", transfer.XLSX
    )


@bp.get("/qualifications/<int:qualification_id>/questions.xlsx")
@role_required(ADMINISTRATOR, ASSESSOR)
def xlsx_export(qualification_id: int):
    qualification = _bank(qualification_id)
    return _download(transfer.xlsx_export(qualification), f"{qualification.code}-questions.xlsx", transfer.XLSX)


@bp.get("/qualifications/<int:qualification_id>/questions-qti.zip")
@role_required(ADMINISTRATOR, ASSESSOR)
def qti_export(qualification_id: int):
    from certcenter.exams import qti

    qualification = _bank(qualification_id)
    return _download(qti.export_package(qualification), f"{qualification.code}-qti3.zip", "application/zip")


def _download(content: bytes, name: str, mimetype: str):
    import io

    return send_file(io.BytesIO(content), mimetype=mimetype, as_attachment=True, download_name=name, max_age=0)


@bp.post("/qualifications/<int:qualification_id>/import")
@role_required(ADMINISTRATOR, ASSESSOR)
def xlsx_import(qualification_id: int):
    qualification = _bank(qualification_id)
    form = ImportForm()
    if not form.validate_on_submit():
        return _transfer_page(qualification, 400, form=form)
    try:
        questions = transfer.import_xlsx(qualification, form.file.data.read(), actor=current_user)
    except transfer.ImportProblems as exc:
        db.session.rollback()
        return _transfer_page(qualification, 400, form=form, problems=exc.problems)
    db.session.commit()
    flash(_("%(count)s questions imported as drafts.", count=len(questions)), "success")
    return redirect(url_for(".bank", qualification_id=qualification.id))


@bp.post("/qualifications/<int:qualification_id>/import-qti")
@role_required(ADMINISTRATOR, ASSESSOR)
def qti_import(qualification_id: int):
    from certcenter.exams import qti

    qualification = _bank(qualification_id)
    form = QtiImportForm()
    form.unit_id.choices = choices({unit.id: unit.code for unit in qualification.units})
    if not form.validate_on_submit():
        return _transfer_page(qualification, 400, qti_form=form)
    try:
        questions = qti.import_upload(
            qualification,
            form.file.data.read(),
            actor=current_user,
            unit_id=form.unit_id.data,
            descriptor=form.descriptor.data,
            language=form.language.data,
        )
    except transfer.ImportProblems as exc:
        db.session.rollback()
        return _transfer_page(qualification, 400, qti_form=form, problems=exc.problems)
    db.session.commit()
    flash(_("%(count)s questions imported as drafts.", count=len(questions)), "success")
    return redirect(url_for(".bank", qualification_id=qualification.id))


# --- the specification ----------------------------------------------------------------------------------------------


@bp.route("/qualifications/<int:qualification_id>/blueprint", methods=["GET", "POST"])
@role_required(ADMINISTRATOR)
def blueprint(qualification_id: int):
    qualification = db.get_or_404(Qualification, qualification_id)
    current = services.blueprint_of(qualification)
    form = BlueprintForm(obj=current)
    counts = {(int(row["unit_id"]), row["descriptor"]): int(row["count"]) for row in (current.rows if current else [])}
    if form.validate_on_submit():
        rows = []
        for unit in qualification.units:
            for descriptor in DESCRIPTOR_KINDS:
                raw = request.form.get(f"count|{unit.id}|{descriptor}", "0").strip() or "0"
                if not raw.isdigit():
                    form.form_errors.append(_("A number of questions is a whole number."))
                    break
                rows.append({"unit_id": unit.id, "descriptor": descriptor, "count": int(raw)})
                counts[(unit.id, descriptor)] = int(raw)
        if not form.form_errors:
            try:
                services.save_blueprint(
                    qualification,
                    actor=current_user,
                    rows=rows,
                    time_limit_minutes=form.time_limit_minutes.data,
                    shuffle_questions=form.shuffle_questions.data,
                    shuffle_options=form.shuffle_options.data,
                    max_attempts=form.max_attempts.data,
                    retake_wait_days=form.retake_wait_days.data,
                    reveal_answers=form.reveal_answers.data,
                )
            except services.ExamError as exc:
                form.form_errors.append(exc.message)
            else:
                db.session.commit()
                flash(_("The test specification has been saved."), "success")
                return redirect(url_for(".blueprint", qualification_id=qualification.id))
    return render_template(
        "exams/blueprint.html",
        qualification=qualification,
        blueprint=current,
        form=form,
        counts=counts,
        bank=services.bank_counts(qualification),
        shortfalls=services.blueprint_shortfalls(current) if current else [],
        descriptor_kinds=DESCRIPTOR_KINDS,
        descriptor_labels=DESCRIPTOR_LABELS,
    ), (400 if form.is_submitted() else 200)


# --- sittings -------------------------------------------------------------------------------------------------------


@bp.get("/sittings")
@role_required(ADMINISTRATOR)
def sittings():
    page = db.paginate(select(Sitting).order_by(Sitting.starts_at.desc()), per_page=50)
    return render_template("exams/sittings.html", page=page, statuses=SITTING_STATUSES, modes=MODES)


@bp.route("/sittings/new", methods=["GET", "POST"])
@role_required(ADMINISTRATOR)
def new_sitting():
    form = SittingForm(qualification_id=request.args.get("qualification", type=int))
    form.qualification_id.choices = choices(
        {
            q.id: f"{q.code} · {_localized(q.title)}"
            for q in db.session.scalars(
                select(Qualification).where(Qualification.active.is_(True)).order_by(Qualification.code)
            )
        }
    )
    form.proctor_id.choices = choices({user.id: user.full_name for user in services.eligible_proctors()})
    if form.validate_on_submit():
        try:
            sitting = services.schedule_sitting(
                db.get_or_404(Qualification, form.qualification_id.data),
                actor=current_user,
                starts_at=services.centre_datetime(form.day.data, form.start_time.data),
                ends_at=services.centre_datetime(form.day.data, form.end_time.data),
                mode=form.mode.data,
                room=form.room.data or "",
                capacity=form.capacity.data,
                proctor=db.get_or_404(User, form.proctor_id.data),
            )
        except services.ExamError as exc:
            field = getattr(form, exc.field, None) if exc.field else None
            (field.errors if field is not None else form.form_errors).append(exc.message)
        else:
            db.session.commit()
            flash(_("The sitting has been scheduled; candidates in assessment can book it."), "success")
            return redirect(url_for(".sitting", sitting_id=sitting.id))
    return render_template("exams/sitting_new.html", form=form), (400 if form.is_submitted() else 200)


@bp.get("/sittings/<int:sitting_id>")
@role_required(ADMINISTRATOR)
def sitting(sitting_id: int):
    sitting = db.get_or_404(Sitting, sitting_id)
    attempts = db.session.scalars(select(Attempt).where(Attempt.sitting_id == sitting.id).order_by(Attempt.id)).all()
    return render_template(
        "exams/sitting.html",
        sitting=sitting,
        attempts=attempts,
        statuses=SITTING_STATUSES,
        modes=MODES,
        reason_form=ReasonForm(),
        action_form=ConfirmForm(),
    )


@bp.post("/sittings/<int:sitting_id>/cancel")
@role_required(ADMINISTRATOR)
def cancel_sitting(sitting_id: int):
    sitting = db.get_or_404(Sitting, sitting_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        abort(400)
    services.cancel_sitting(sitting, actor=current_user, reason=form.reason.data)
    db.session.commit()
    flash(_("The sitting has been cancelled."), "success")
    return redirect(url_for(".sitting", sitting_id=sitting.id))


def _proctored(sitting_id: int) -> Sitting:
    sitting = db.session.get(Sitting, sitting_id)
    if sitting is None or not policy.can_proctor(sitting, current_user):
        abort(404)
    return sitting


@bp.get("/sittings/<int:sitting_id>/proctor")
@role_required(ADMINISTRATOR, ASSESSOR)
def proctor(sitting_id: int):
    from certcenter.exams.panels import proctor_rows

    sitting = _proctored(sitting_id)
    return render_template(
        "exams/proctor.html",
        sitting=sitting,
        rows=proctor_rows(sitting),
        statuses=SITTING_STATUSES,
        modes=MODES,
        action_form=ConfirmForm(),
        time_form=AddTimeForm(),
        reason_form=ReasonForm(),
    )


@bp.get("/sittings/<int:sitting_id>/proctor.json")
@role_required(ADMINISTRATOR, ASSESSOR)
def proctor_json(sitting_id: int):
    from certcenter.exams.panels import proctor_rows

    sitting = _proctored(sitting_id)
    return jsonify({"status": sitting.status, "rows": proctor_rows(sitting, as_json=True)})


@bp.post("/sittings/<int:sitting_id>/open")
@role_required(ADMINISTRATOR, ASSESSOR)
def open_sitting(sitting_id: int):
    sitting = _proctored(sitting_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.open_sitting(sitting, actor=current_user)
    db.session.commit()
    return redirect(url_for(".proctor", sitting_id=sitting.id))


@bp.post("/sittings/<int:sitting_id>/close")
@role_required(ADMINISTRATOR, ASSESSOR)
def close_sitting(sitting_id: int):
    from certcenter.exams.tasks import queue_marking

    sitting = _proctored(sitting_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.close_sitting(sitting, actor=current_user)
    queue_marking(sitting.id)
    db.session.commit()
    flash(_("The sitting is closed; the attempts are being marked."), "success")
    return redirect(url_for(".proctor", sitting_id=sitting.id))


@bp.post("/bookings/<int:booking_id>/admit")
@role_required(ADMINISTRATOR, ASSESSOR)
def admit(booking_id: int):
    booking = db.get_or_404(Booking, booking_id)
    _proctored(booking.sitting_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.admit(booking, actor=current_user)
    db.session.commit()
    return redirect(url_for(".proctor", sitting_id=booking.sitting_id))


def _proctored_attempt(attempt_id: int) -> Attempt:
    attempt = db.get_or_404(Attempt, attempt_id)
    _proctored(attempt.sitting_id)
    return attempt


@bp.post("/attempts/<int:attempt_id>/time")
@role_required(ADMINISTRATOR, ASSESSOR)
def add_time(attempt_id: int):
    attempt = _proctored_attempt(attempt_id)
    form = AddTimeForm()
    if not form.validate_on_submit():
        flash(_("Give the minutes and the reason."), "error")
        return redirect(url_for(".proctor", sitting_id=attempt.sitting_id))
    services.add_time(attempt, actor=current_user, minutes=form.minutes.data, reason=form.reason.data)
    db.session.commit()
    flash(_("%(minutes)s minutes added.", minutes=form.minutes.data), "success")
    return redirect(url_for(".proctor", sitting_id=attempt.sitting_id))


@bp.post("/attempts/<int:attempt_id>/void")
@role_required(ADMINISTRATOR, ASSESSOR)
def void(attempt_id: int):
    attempt = _proctored_attempt(attempt_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(_("Give the reason."), "error")
        return redirect(url_for(".proctor", sitting_id=attempt.sitting_id))
    services.void_attempt(attempt, actor=current_user, reason=form.reason.data)
    db.session.commit()
    flash(_("The attempt has been voided."), "success")
    return redirect(url_for(".proctor", sitting_id=attempt.sitting_id))


# --- the candidate --------------------------------------------------------------------------------------------------


def _own_application(application_id: int) -> Application:
    application = db.session.get(Application, application_id)
    if application is None or not application.is_owner(current_user):
        abort(404)
    return application


def _own_booking(booking_id: int) -> Booking:
    booking = db.session.get(Booking, booking_id)
    if booking is None or booking.user_id != current_user.id:
        abort(404)
    return booking


def _back(application_id: int):
    return redirect(url_for("applications.application", application_id=application_id) + "#exam")


@bp.post("/applications/<int:application_id>/book")
@role_required(CANDIDATE)
def book(application_id: int):
    application = _own_application(application_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.book(application, request.form.get("sitting_id", type=int) or 0, actor=current_user)
    except services.ExamError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return _back(application.id)
    db.session.commit()
    flash(_("Your place in the sitting is booked."), "success")
    return _back(application.id)


@bp.post("/bookings/<int:booking_id>/cancel")
@role_required(CANDIDATE)
def cancel_booking(booking_id: int):
    booking = _own_booking(booking_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.cancel_booking(booking, actor=current_user)
    db.session.commit()
    flash(_("You have given up your place."), "success")
    return _back(booking.application_id)


@bp.post("/bookings/<int:booking_id>/code")
@role_required(CANDIDATE)
def admission_code(booking_id: int):
    booking = _own_booking(booking_id)
    form = CodeForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.admit(booking, actor=current_user, code=form.code.data)
    except services.ExamError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return _back(booking.application_id)
    db.session.commit()
    return _back(booking.application_id)


@bp.post("/bookings/<int:booking_id>/start")
@role_required(CANDIDATE)
def start(booking_id: int):
    booking = _own_booking(booking_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    attempt = services.start_attempt(booking, actor=current_user)
    db.session.commit()
    return redirect(url_for("exams_take.take", attempt_id=attempt.id))


# --- assessors ------------------------------------------------------------------------------------------------------


@bp.get("/reviews")
@role_required(ASSESSOR)
def reviews():
    return render_template(
        "exams/reviews.html", items=services.pending_reviews(current_user), action_form=ConfirmForm()
    )


@bp.post("/reviews/<int:item_id>")
@role_required(ASSESSOR)
def review(item_id: int):
    item = db.session.get(AttemptItem, item_id)
    if item is not None:  # his own answers: refused as the separation of duties says, not hidden
        case.refuse_own_case(item.attempt.application, current_user, case.RECORD_RESULT)
    if item is None or not policy.can_review(item, current_user):
        abort(404)
    if not ConfirmForm().validate_on_submit() or request.form.get("decision") not in ("accept", "reject"):
        abort(400)
    services.review_answer(item, actor=current_user, accept=request.form["decision"] == "accept")
    db.session.commit()
    flash(_("Your decision has been recorded."), "success")
    return redirect(url_for(".reviews"))


@bp.get("/applications/<int:application_id>/scores")
@login_required
def scores(application_id: int):
    from certcenter.exams.panels import attempt_summaries

    application = db.session.get(Application, application_id)
    if application is None or not policy.can_see_scores(application, current_user):
        abort(404)
    return render_template(
        "exams/scores.html", application=application, summaries=attempt_summaries(application, staff=True)
    )


# --- item analysis --------------------------------------------------------------------------------------------------


@bp.get("/sittings/<int:sitting_id>/analysis")
@role_required(ADMINISTRATOR)
def sitting_analysis(sitting_id: int):
    from certcenter.exams import reporting

    sitting = db.get_or_404(Sitting, sitting_id)
    return render_template(
        "exams/analysis.html",
        analysis=reporting.sitting_analysis(sitting),
        sitting=sitting,
        form=None,
        params={"sitting_id": sitting.id},
        descriptor_labels=DESCRIPTOR_LABELS,
        kinds=KINDS,
    )


@bp.get("/analysis")
@role_required(ADMINISTRATOR)
def period_analysis():
    from datetime import timedelta

    from certcenter.core.i18n import centre_today
    from certcenter.exams import reporting
    from certcenter.exams.forms import AnalysisForm

    today = centre_today()
    form = AnalysisForm(request.args)
    form.qualification_id.choices = [(0, "—")] + [
        (q.id, q.code) for q in db.session.scalars(select(Qualification).order_by(Qualification.code))
    ]
    if not form.validate():
        abort(400)
    date_from = form.date_from.data or today - timedelta(days=365)
    date_to = form.date_to.data or today
    form.date_from.data, form.date_to.data = date_from, date_to
    sittings = reporting.period_sittings(date_from, date_to, form.qualification_id.data or None)
    return render_template(
        "exams/analysis.html",
        analysis=reporting.analyse(sittings),
        sitting=None,
        form=form,
        params={
            "date_from": date_from.isoformat(),
            "date_to": date_to.isoformat(),
            "qualification_id": form.qualification_id.data or None,
        },
        descriptor_labels=DESCRIPTOR_LABELS,
        kinds=KINDS,
    )
