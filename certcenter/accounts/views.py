"""Sign-in, registration and the user's own account; administrators' user management (the audit log:
``audit_views``)."""

from __future__ import annotations

import hashlib

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from certcenter.accounts import services
from certcenter.accounts.forms import (
    ChangeEmailForm,
    ChangePasswordForm,
    ConfirmForm,
    ForgotPasswordForm,
    LoginForm,
    RegistrationForm,
    ResetPasswordForm,
    UserCreateForm,
    UserRolesForm,
)
from certcenter.accounts.models import ADMINISTRATOR, User
from certcenter.accounts.tokens import TokenError, user_to_reset, user_to_verify
from certcenter.core.errors import UserError
from certcenter.core.ids import parse_id
from certcenter.core.models import AuditEntry
from certcenter.core.permissions import role_required
from certcenter.core.views import safe_next
from certcenter.extensions import db, limiter, login_manager

bp = Blueprint("accounts", __name__)
admin_bp = Blueprint("admin", __name__, url_prefix="/admin")

login_manager.login_view = "accounts.login"
login_manager.login_message = _l("Please sign in to open this page.")
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    raw_id, _sep, nonce = session_id.partition(":")
    user_id = parse_id(raw_id)
    if user_id is None:
        return None
    # the roles in the same statement: every signed-in page asks for them, and a statement is a round trip
    user = db.session.get(User, user_id, options=[joinedload(User.role_rows)])
    if user is None or not user.active or user.session_nonce != nonce:
        return None
    return user


@bp.before_app_request
def require_password_change():
    allowed = {"accounts.change_password", "accounts.logout", "static", "core.set_language"}
    if current_user.is_authenticated and current_user.must_change_password and request.endpoint not in allowed:
        return redirect(url_for("accounts.change_password"))
    return None


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.my_home"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        throttle = services.password_throttle(form.email.data, request.remote_addr)
        if throttle.blocked:
            seconds, minutes = throttle.retry_after_seconds, round(throttle.retry_after_seconds / 60)
            form.form_errors.append(
                _("Too many failed sign-in attempts. Try again in %(seconds)d seconds.", seconds=seconds)
                if seconds < 120
                else _("Too many failed sign-in attempts. Try again in %(minutes)d minutes.", minutes=minutes)
            )
            return render_template("accounts/login.html", form=form), 429, {"Retry-After": str(seconds)}
        user = services.authenticate(form.email.data, form.password.data, request.remote_addr)
        if user is not None and user.locale is None:
            user.locale = session.get("locale")
        db.session.commit()
        if user is None:
            form.form_errors.append(_("Invalid e-mail or password."))
            return render_template("accounts/login.html", form=form)
        login_user(user)
        return redirect(safe_next(form.next.data) if form.next.data else url_for("core.my_home"))
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    services.sign_out(current_user._get_current_object())
    db.session.commit()
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("core.home"))


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("core.my_home"))
    form = RegistrationForm()
    if form.validate_on_submit():
        user = services.register_candidate(
            form.email.data, form.full_name.data, form.password.data, locale=session.get("locale") or str(get_locale())
        )
        db.session.commit()
        if user is not None:
            # A new account is signed in at once and starts from its own page; the address is confirmed by the
            # mailed link before an application can be submitted.
            login_user(user)
            flash(_("Welcome! We have sent a link to your e-mail address: open it to confirm the address."), "success")
            return redirect(url_for("core.my_home"))
        # An address already registered gets no session (its owner is told by mail): only he can sign in.
        flash(_("Registration received. Sign in with your e-mail and password."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/register.html", form=form)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    user = current_user._get_current_object()
    if form.validate_on_submit():
        throttle = services.password_throttle(user.email, request.remote_addr, purpose="password_change")
        if throttle.blocked:
            seconds, minutes = throttle.retry_after_seconds, round(throttle.retry_after_seconds / 60)
            form.current.errors.append(
                _("Too many wrong passwords. Try again in %(seconds)d seconds.", seconds=seconds)
                if seconds < 120
                else _("Too many wrong passwords. Try again in %(minutes)d minutes.", minutes=minutes)
            )
            return render_template("accounts/change_password.html", form=form), 429, {"Retry-After": str(seconds)}
        if not services.verify_current_password(user, form.current.data, request.remote_addr):
            db.session.commit()  # the failed attempt counts
            form.current.errors.append(_("The current password is not correct."))
        else:
            services.change_password(user, form.password.data)
            db.session.commit()
            login_user(user)  # the nonce changed: keep this session, others end
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("core.home"))
    return render_template("accounts/change_password.html", form=form)


# --- the address and password recovery -----------------------------------------------------------------------------


LINK_ERRORS = {
    "invalid": _l("This link is not valid. Check that it was copied whole, or ask for a new one."),
    "expired": _l("This link has expired. Ask for a new one."),
    "used": _l("This link has been used already. Ask for a new one if you need it."),
    "other_account": _l("This link belongs to another account. Sign out first to use it."),
}


def _link_error(reason: str):
    return render_template("accounts/link_error.html", message=LINK_ERRORS[reason]), 400


def _for_someone_else(user: User) -> bool:
    return current_user.is_authenticated and current_user.id != user.id


@bp.get("/verify-email/<token>")
def verify_email(token: str):
    try:
        user, email = user_to_verify(token)
    except TokenError as error:
        return _link_error(error.reason)
    if _for_someone_else(user):
        return _link_error("other_account")
    try:
        services.verify_email(user, email)
    except UserError as error:
        return render_template("accounts/link_error.html", message=error.message), 409
    db.session.commit()
    flash(_("Your e-mail address %(email)s is confirmed.", email=email), "success")
    return redirect(url_for("core.home") if current_user.is_authenticated else url_for("accounts.login"))


def _resend_key() -> str:
    return f"verify-resend:{current_user.get_id().partition(':')[0]}"


@bp.post("/account/verify/resend")
@login_required
@limiter.limit(lambda: current_app.config["EMAIL_VERIFICATION_RESEND_RATE_LIMIT"], key_func=_resend_key)
def resend_verification():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    user = current_user._get_current_object()
    if user.email_verified and not user.pending_email:
        flash(_("Your e-mail address is confirmed already."), "info")
    else:
        services.resend_verification(user)
        db.session.commit()
        flash(_("We have sent the link again to %(email)s.", email=user.pending_email or user.email), "success")
    return redirect(url_for("accounts.account_email"))


@bp.route("/account/email", methods=["GET", "POST"])
@login_required
def account_email():
    form = ChangeEmailForm()
    user = current_user._get_current_object()
    if form.validate_on_submit():
        throttle = services.password_throttle(user.email, request.remote_addr, purpose="password_change")
        if throttle.blocked:
            form.current.errors.append(
                _("Too many wrong passwords. Try again in %(seconds)d seconds.", seconds=throttle.retry_after_seconds)
            )
            return render_template("accounts/email.html", form=form, user=user, resend=ConfirmForm()), 429
        if not services.verify_current_password(user, form.current.data, request.remote_addr):
            db.session.commit()  # the failed attempt counts
            form.current.errors.append(_("The current password is not correct."))
        else:
            try:
                services.request_email_change(user, form.email.data)
            except UserError as error:
                db.session.rollback()
                form.email.errors.append(error.message)
            else:
                db.session.commit()
                flash(
                    _("Open the link we have sent to %(email)s to confirm the new address.", email=user.pending_email),
                    "success",
                )
                return redirect(url_for("accounts.account_email"))
    return render_template("accounts/email.html", form=form, user=user, resend=ConfirmForm())


def _recovery_address_key() -> str:
    """Recovery mails asked for one address are counted whoever asks (by the address, so that one person's mailbox
    cannot be flooded from many clients)."""
    return "recovery:" + hashlib.sha256(services.normalize_email(request.form.get("email", "")).encode()).hexdigest()


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["PASSWORD_RESET_RATE_LIMIT_PER_CLIENT"], methods=["POST"])
@limiter.limit(
    lambda: current_app.config["PASSWORD_RESET_RATE_LIMIT_PER_ADDRESS"],
    methods=["POST"],
    key_func=_recovery_address_key,
)
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_recovery(form.email.data)
        db.session.commit()
        # The same answer for every address: nothing tells whether an account has it.
        flash(
            _(
                "If an account uses %(email)s, we have sent a link to it to choose a new password. It works for one "
                "hour. Nothing arrived? Look in the spam folder, or ask the centre.",
                email=services.normalize_email(form.email.data),
            ),
            "info",
        )
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["PASSWORD_RESET_RATE_LIMIT_PER_CLIENT"], methods=["POST"])
def reset_password(token: str):
    try:
        user = user_to_reset(token)
    except TokenError as error:
        return _link_error(error.reason)
    if _for_someone_else(user):
        return _link_error("other_account")
    form = ResetPasswordForm()
    if form.validate_on_submit():
        services.recover_password(user, form.password.data)
        db.session.commit()
        login_user(user)  # the nonce changed: other sessions have ended, this one begins
        flash(_("Your new password is set; you are signed in. Other sessions have been signed out."), "success")
        return redirect(url_for("core.home"))
    return render_template("accounts/reset_password.html", form=form)


# --- administration -----------------------------------------------------------------------------------------------


@admin_bp.get("/users")
@role_required(ADMINISTRATOR)
def users():
    query = request.args.get("q", "").strip()
    statement = select(User).order_by(User.full_name)
    if query:
        pattern = f"%{query.lower()}%"
        statement = statement.where(User.email.like(pattern) | User.full_name.ilike(pattern))
    page = db.paginate(statement, per_page=50)
    return render_template("admin/users.html", page=page, query=query)


@admin_bp.route("/users/new", methods=["GET", "POST"])
@role_required(ADMINISTRATOR)
def create_user():
    form = UserCreateForm()
    if form.validate_on_submit():
        if services.user_by_email(form.email.data) is not None:
            form.email.errors.append(_("A user with this e-mail already exists."))
        else:
            password = services.generate_password()
            user = services.create_user(
                form.email.data,
                form.full_name.data,
                password,
                set(form.roles.data),
                actor=current_user,
                must_change_password=True,
            )
            db.session.commit()
            return render_template("admin/temporary_password.html", user=user, password=password)
    return render_template("admin/user_new.html", form=form)


def _user_or_404(user_id: int) -> User:
    return db.get_or_404(User, user_id)


@admin_bp.get("/users/<int:user_id>")
@role_required(ADMINISTRATOR)
def user_detail(user_id: int):
    user = _user_or_404(user_id)
    roles_form = UserRolesForm(roles=sorted(user.roles))
    history = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.target_type == "User", AuditEntry.target_id == str(user.id))
        .order_by(AuditEntry.at.desc())
        .limit(50)
    ).all()
    return render_template(
        "admin/user_detail.html", user=user, roles_form=roles_form, action_form=ConfirmForm(), history=history
    )


@admin_bp.post("/users/<int:user_id>/roles")
@role_required(ADMINISTRATOR)
def user_roles(user_id: int):
    user = _user_or_404(user_id)
    form = UserRolesForm()
    if not form.validate_on_submit():
        flash(_("Choose at least one role."), "error")
    elif user.id == current_user.id and ADMINISTRATOR not in form.roles.data:
        flash(_("You cannot remove your own administrator role."), "error")
    else:
        services.update_roles(user, set(form.roles.data), actor=current_user)
        db.session.commit()
        flash(_("Roles saved."), "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


@admin_bp.post("/users/<int:user_id>/<any(activate, deactivate):action>")
@role_required(ADMINISTRATOR)
def user_active(user_id: int, action: str):
    user = _user_or_404(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if user.id == current_user.id:
        flash(_("You cannot deactivate your own account."), "error")
    else:
        services.set_active(user, action == "activate", actor=current_user)
        db.session.commit()
        flash(
            _("The account is active.") if user.active else _("The account is deactivated; its sessions ended."),
            "success",
        )
    return redirect(url_for("admin.user_detail", user_id=user.id))


@admin_bp.post("/users/<int:user_id>/reset-password")
@role_required(ADMINISTRATOR)
def user_reset_password(user_id: int):
    user = _user_or_404(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    password = services.reset_password(user, actor=current_user)
    db.session.commit()
    return render_template("admin/temporary_password.html", user=user, password=password)
