"""Work split into queues by kind: certificates, reports, mail, maintenance. A worker that reads only one queue does
that kind of work and no other, so a long report never waits in front of a certificate."""

import time

import pytest
from sqlalchemy import select

from certcenter.certificates.models import Certificate
from certcenter.config import Config
from certcenter.extensions import db
from certcenter.queues import QUEUES
from certcenter.reports.models import Report
from tests.conftest import database_url_for_tests, login
from tests.workers import start_worker, stop_worker

EXPECTED = {
    "certcenter.certificates.tasks.render_certificates": "certificates",
    "certcenter.reports.tasks.generate_report": "reports",
    "certcenter.reports.tasks.refresh_statistics": "reports",
    "certcenter.certificates.tasks.expire_certificates": "maintenance",
    "certcenter.certificates.tasks.sweep_render_queue": "maintenance",
    "certcenter.core.tasks.sweep_orphan_files": "maintenance",
    "certcenter.core.tasks.sweep_lost_work": "maintenance",
    "certcenter.exams.tasks.mark_sitting": "maintenance",
    "certcenter.certificates.tasks.remind_renewals": "maintenance",
    "certcenter.certificates.tasks.schedule_surveillance": "maintenance",
    "certcenter.records.tasks.run_retention": "maintenance",
    "certcenter.records.tasks.build_data_export": "reports",
    "certcenter.exams.tasks.sweep": "maintenance",
    # the e-mail channel's tasks (issue #15) land on mail by their names
    "certcenter.notifications.tasks.send_email": "mail",
    "certcenter.notifications.mail.deliver": "mail",
    "certcenter.accounts.tasks.send_password_recovery_mail": "mail",
    # issue #15: the outbox's sending task; the daily digest and expiry warnings are beat tasks (they only write
    # outbox rows, whose sending then goes to the mail queue)
    "certcenter.core.mail.send_mail": "mail",
    "certcenter.notifications.tasks.send_digests": "maintenance",
    "certcenter.applications.tasks.remind_deadlines": "maintenance",
}


def queue_of(app, task_name):
    return app.extensions["celery"].amqp.router.route({}, task_name)["queue"].name


def test_each_task_goes_to_the_queue_of_its_kind(app):
    for name, queue in EXPECTED.items():
        assert queue_of(app, name) == queue, name
    registered = {name for name in app.extensions["celery"].tasks if name.startswith("certcenter.")}
    assert registered <= set(EXPECTED), f"route and list the new task: {registered - set(EXPECTED)}"


def test_the_beat_schedule_runs_on_the_maintenance_queue(app):
    for entry in app.config["CELERY"]["beat_schedule"].values():
        assert queue_of(app, entry["task"]) == "maintenance"


def test_a_worker_without_queues_named_reads_all_four(app):
    consumed = {queue.name for queue in app.extensions["celery"].amqp.queues.consume_from.values()}
    assert consumed == set(QUEUES)


def wait_until(app, predicate, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with app.app_context():
            if predicate():
                return
            db.session.remove()
        time.sleep(0.1)
    raise AssertionError("timed out")


@pytest.mark.worker
def test_a_certificate_does_not_wait_behind_a_report(app, make_app, confirmed, make_user, tmp_path):
    """On the embedded broker: with a worker reading only the certificates queue, a certificate is rendered while the
    report asked for before it waits in its own queue, for a reports worker, which then makes it."""
    sender = make_app(CELERY=Config.CELERY)  # tasks go to the broker, not run in this process
    (application_id,) = confirmed(1)
    admin = sender.test_client()
    login(admin, make_user("administrator").email)
    assert admin.post("/admin/reports/export", data={"dataset": "certificates", "format": "csv"}).status_code == 302
    assert admin.post("/admin/certificates/issue", data={"application": [str(application_id)]}).status_code == 302
    with sender.app_context():
        report_id = db.session.scalar(select(Report.id).where(Report.kind == "export"))

    def report_status():
        return db.session.get(Report, report_id).status

    def worker_on(queue):
        workers.append(
            start_worker(
                tmp_path / f"{queue}.log",
                database_url=database_url_for_tests(),
                pool="solo",
                storage_root=app.config["STORAGE_ROOT"],
                queues=queue,
                name=queue,
            )
        )

    workers = []
    try:
        worker_on("certificates")
        wait_until(sender, lambda: db.session.scalar(select(Certificate.render_status)) == "ready")
        with sender.app_context():
            assert report_status() == "queued"
        worker_on("reports")
        wait_until(sender, lambda: report_status() == "ready")
    finally:
        for worker in workers:
            stop_worker(worker)
    certificates_log, reports_log = (tmp_path / "certificates.log").read_text(), (tmp_path / "reports.log").read_text()
    assert "Task certcenter.certificates.tasks.render_certificates[" in certificates_log
    assert "Task certcenter.reports.tasks.generate_report[" in reports_log
    assert "Task certcenter.reports" not in certificates_log and "Task certcenter.certificates" not in reports_log
