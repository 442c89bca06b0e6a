"""The sweep, keyed on the workers' heartbeats rather than on the rows' age: what a dead worker left running or held
is sent again at once (here tasks run in the test process, so "sent" means done), what a live worker is doing is
left alone; failed renders retried in bulk from the register; /health counts the workers that beat."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from certcenter.certificates.models import FAILED, QUEUED, READY, RENDERING, Certificate
from certcenter.config import Config
from certcenter.core.models import AuditEntry, WorkerHeartbeat, utcnow
from certcenter.extensions import db
from certcenter.reports.models import RUNNING, Report
from certcenter.reports.services import request_export
from tests.conftest import login

RENDER = "certcenter.certificates.tasks.render_certificates"


def heartbeat(worker_id: str, *, seconds_ago: float, held: list | None = None, ended: bool = False):
    now = utcnow()
    return WorkerHeartbeat(
        id=worker_id,
        node=f"{worker_id}@test",
        host="test",
        pid=1,
        started_at=now - timedelta(hours=1),
        beat_at=now - timedelta(seconds=seconds_ago),
        ended_at=now if ended else None,
        held=held or [],
    )


def sweep(app):
    return app.extensions["celery"].tasks["certcenter.core.tasks.sweep_lost_work"]()


@pytest.fixture
def queued_certificates(make_app, confirmed, make_user):
    """Certificates issued while the broker was unreachable: rows queued, nothing rendered."""

    def _make(count: int) -> list[int]:
        issuer = make_app(CELERY=Config.CELERY, REDIS_URL="redis://127.0.0.1:1/0")
        admin = issuer.test_client()
        login(admin, make_user("administrator").email)
        admin.post("/admin/certificates/issue", data={"application": [str(i) for i in confirmed(count)]})
        with issuer.app_context():
            return list(db.session.scalars(select(Certificate.id).order_by(Certificate.id)))

    return _make


def set_certificates(app, ids, **values):
    with app.app_context():
        db.session.execute(update(Certificate).where(Certificate.id.in_(ids)).values(**values))
        db.session.commit()


def render_statuses(app):
    with app.app_context():
        return [c.render_status for c in db.session.scalars(select(Certificate).order_by(Certificate.id))]


def test_certificates_left_rendering_by_a_dead_worker_are_rendered_again(app, queued_certificates):
    dead, alive = queued_certificates(2)
    started = utcnow() - timedelta(seconds=30)
    set_certificates(app, [dead], render_status=RENDERING, render_worker="dead", render_started_at=started)
    set_certificates(app, [alive], render_status=RENDERING, render_worker="alive", render_started_at=started)
    with app.app_context():
        db.session.add_all([heartbeat("dead", seconds_ago=30), heartbeat("alive", seconds_ago=1)])
        db.session.commit()
    result = sweep(app)
    assert render_statuses(app) == [READY, RENDERING]  # the live worker's is its own business
    assert result["certificates"] == 1
    with app.app_context():  # the dead worker is forgotten once its work is given back
        assert db.session.scalars(select(WorkerHeartbeat.id)).all() == ["alive"]


def test_what_a_dead_worker_had_fetched_is_given_back(app, queued_certificates):
    """Prefetched messages: their rows are still "queued", recently, so only the dead worker's list tells."""
    held, also_held_by_a_live_one = queued_certificates(2)
    message = {"name": RENDER, "kwargs": {}, "tag": None}
    with app.app_context():
        db.session.add_all(
            [
                heartbeat(
                    "killed",
                    seconds_ago=1,
                    ended=True,  # `certcenter serve` saw it die
                    held=[
                        {**message, "id": "m1", "args": [[held]]},
                        {**message, "id": "m2", "args": [[also_held_by_a_live_one]]},
                    ],
                ),
                heartbeat("alive", seconds_ago=1, held=[{**message, "id": "m2", "args": [[also_held_by_a_live_one]]}]),
            ]
        )
        db.session.commit()
    assert sweep(app)["workers"] == 1
    assert render_statuses(app) == [READY, QUEUED]


def test_certificates_queued_too_long_are_sent_again(app, queued_certificates):
    old, _recent = queued_certificates(2)
    set_certificates(app, [old], render_queued_at=utcnow() - timedelta(minutes=3))
    assert sweep(app)["certificates"] == 1
    assert render_statuses(app) == [READY, QUEUED]


def test_reports_left_running_by_a_dead_worker_are_made_again(app, make_user):
    admin = make_user("administrator")
    with app.app_context():
        reports = [request_export("certificates", "csv", {}, actor=admin) for _ in range(3)]
        db.session.flush()
        started = utcnow() - timedelta(minutes=1)
        reports[0].status, reports[0].worker, reports[0].started_at = RUNNING, "dead", started
        reports[1].status, reports[1].worker, reports[1].started_at = RUNNING, "alive", started
        reports[2].queued_at = utcnow() - timedelta(minutes=5)  # queued while the broker was down
        db.session.add_all([heartbeat("dead", seconds_ago=60), heartbeat("alive", seconds_ago=1)])
        db.session.commit()
        ids = [report.id for report in reports]
    assert sweep(app)["reports"] == 2
    with app.app_context():
        assert [db.session.get(Report, i).status for i in ids] == ["ready", RUNNING, "ready"]


def test_failed_renders_are_retried_in_bulk_from_the_register(app, queued_certificates, login_as):
    ids = queued_certificates(3)
    set_certificates(app, ids[:2], render_status=FAILED, render_error="RuntimeError: the disk was full")
    set_certificates(app, ids[2:], render_status=READY)  # as if rendered: left alone
    admin = login_as("admin")
    admin.post("/language", data={"language": "en"})
    register = admin.get("/admin/certificates").get_data(as_text=True)
    assert "The rendering of 2 certificates has failed." in register
    answer = admin.post("/admin/certificates/retry-failed", follow_redirects=True)
    assert answer.status_code == 200
    assert "2 certificates are being rendered again." in answer.get_data(as_text=True)
    assert render_statuses(app)[:2] == [READY, READY]
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "certificate.render_retry")).all()
        assert sorted(int(e.target_id) for e in entries) == ids[:2]
        assert {e.actor_id for e in entries} == {admin.user.id}
    assert "has failed" not in admin.get("/admin/certificates").get_data(as_text=True)


def test_health_counts_the_workers_that_beat(make_app):
    app = make_app()
    with app.app_context():
        db.session.add_all(
            [
                heartbeat("fresh", seconds_ago=1),
                heartbeat("stale", seconds_ago=60),
                heartbeat("gone", seconds_ago=1, ended=True),
            ]
        )
        db.session.commit()
    body = app.test_client().get("/health").get_json()
    assert body["status"] == "ok"
    assert body["checks"]["workers"] == {"ok": True, "count": 1, "names": ["fresh@test"]}
    with app.app_context():
        db.session.execute(update(WorkerHeartbeat).values(beat_at=utcnow() - timedelta(minutes=1)))
        db.session.commit()
    response = app.test_client().get("/health")
    assert response.status_code == 503 and response.get_json()["failing"] == ["workers"]
