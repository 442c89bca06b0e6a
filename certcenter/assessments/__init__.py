"""Assessment: assignments and conflict declarations, judgements, results, moderation, the recommendation and the
decision."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from certcenter.assessments.audit_words import WORDS
    from certcenter.core.audit_catalogue import register as register_audit_words

    register_audit_words(app, **WORDS)
    from certcenter.applications.policy import register_case_roles
    from certcenter.assessments import competence_views, panels, policy, services, views
    from certcenter.assessments.reasons import describe_reason
    from certcenter.core.panels import register_panel
    from certcenter.notifications.services import register_kind

    app.register_blueprint(views.bp)
    app.register_blueprint(competence_views.bp)
    from certcenter.core.homes import register_home

    register_home(app, "assessor", "assessments.workspace", order=20)
    from certcenter.applications.search import register_filter
    from certcenter.assessments.filters import ASSESSOR_FILTER

    register_filter(app, "assessor", ASSESSOR_FILTER, order=10)
    register_case_roles(app, "assessment", policy.case_roles)
    register_case_roles(app, "assessment_part", policy.part_roles)
    register_panel(app, "application.page", "decision", "assessments/_decision.html", panels.decision_panel, order=10)
    register_panel(
        app, "application.page", "assessment", "assessments/_admin_panel.html", panels.assessment_panel, order=20
    )
    register_panel(
        app, "dashboard.application", "decision", "assessments/_decision.html", panels.decision_panel, order=30
    )
    for kind in (
        services.ASSIGNED,
        services.CONFLICT_DECLARED,
        services.READY_FOR_DECISION,
        services.MODERATOR_PICKED,
        services.MODERATOR_CONFLICT,
    ):
        register_kind(app, kind, panels.describe_notice)
    app.add_template_global(describe_reason)
