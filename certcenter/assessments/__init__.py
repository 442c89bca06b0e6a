"""Assessment: assignments and conflict declarations, judgements, results, moderation, the recommendation and the
decision."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from certcenter.assessments.audit_words import WORDS
    from certcenter.core.audit_catalogue import register as register_audit_words

    register_audit_words(app, **WORDS)
    from certcenter.applications import workflow
    from certcenter.applications.deadlines import register_waiting_on
    from certcenter.applications.panels import register_state_notice_details
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
    register_panel(app, "application.page", "rounds", "assessments/_rounds.html", panels.rounds_panel, order=5)
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
        services.MODERATION_ASKED,
        services.MODERATOR_PICKED,
        services.MODERATOR_CONFLICT,
    ):
        register_kind(
            app,
            kind,
            panels.describe_notice,
            link=panels.notice_link,
            label=panels.NOTICE_LABELS[kind],
            digest=kind in (services.CONFLICT_DECLARED, services.READY_FOR_DECISION, services.MODERATION_ASKED),
        )
    app.add_template_global(describe_reason)
    register_waiting_on(app, workflow.IN_ASSESSMENT, policy.assessors_still_to_judge)
    register_waiting_on(app, workflow.MODERATION, policy.moderation_waits_on)
    for state in (workflow.CONFIRMED, workflow.NOT_CONFIRMED):
        register_state_notice_details(app, state, panels.decision_notice_details)
