"""The worker queues, one per kind of work, so that a long job of one kind never waits in line before a short one of
another: a 10,000-row register (reports) does not delay a certificate (certificates) or a password-recovery mail
(mail), and the nightly housekeeping (maintenance) delays neither.

``certcenter serve`` consumes every queue with one worker; production runs a worker per queue group
(``celery -A workers worker -Q certificates``, ...; see the README). Tasks are routed by name, so a domain's new task
lands on its domain's queue without a change here.
"""

from __future__ import annotations

CERTIFICATES = "certificates"
REPORTS = "reports"
MAIL = "mail"
MAINTENANCE = "maintenance"
QUEUES = (CERTIFICATES, REPORTS, MAIL, MAINTENANCE)

# Celery tries exact names first, then the patterns in this order.
TASK_ROUTES = {
    # the beat schedule's housekeeping
    "certcenter.certificates.tasks.expire_certificates": {"queue": MAINTENANCE},
    "certcenter.certificates.tasks.sweep_render_queue": {"queue": MAINTENANCE},
    "certcenter.notifications.tasks.send_digests": {"queue": MAINTENANCE},
    "certcenter.certificates.tasks.remind_renewals": {"queue": MAINTENANCE},
    "certcenter.certificates.tasks.schedule_surveillance": {"queue": MAINTENANCE},
    "certcenter.records.tasks.run_retention": {"queue": MAINTENANCE},
    "certcenter.core.tasks.*": {"queue": MAINTENANCE},
    # a closed sitting's marking: short, and awaited by the candidates, so not behind a long report
    "certcenter.exams.tasks.*": {"queue": MAINTENANCE},
    # e-mail: the notifications' channels, and any other task that sends mail (password recovery)
    "certcenter.notifications.*": {"queue": MAIL},
    "certcenter.*mail*": {"queue": MAIL},
    "certcenter.certificates.*": {"queue": CERTIFICATES},
    "certcenter.reports.*": {"queue": REPORTS},
    # a person's data gathered into a ZIP: a report of its kind
    "certcenter.records.tasks.build_data_export": {"queue": REPORTS},
}


def celery_queue_settings() -> dict:
    """The queue settings of the Celery configuration. A worker started without ``-Q`` consumes all four queues; a task
    no route names goes with the housekeeping rather than to a queue no production worker reads."""
    from kombu import Queue

    return {
        "task_queues": tuple(Queue(name, routing_key=name) for name in QUEUES),
        "task_default_queue": MAINTENANCE,
        "task_routes": TASK_ROUTES,
    }
