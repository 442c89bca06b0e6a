"""Each role lands on its own page after signing in; the administrator's is a work queue with counts and what is
overdue."""

from __future__ import annotations

from datetime import timedelta

from certcenter.applications.models import Application
from certcenter.core.models import utcnow
from certcenter.extensions import db
from tests.conftest import TEST_PASSWORD


def test_signing_in_lands_each_role_on_its_own_page(app, make_user):
    for role, home in (("candidate", "/dashboard"), ("assessor", "/assess"), ("administrator", "/admin/queue")):
        user = make_user(role)
        client = app.test_client()
        response = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
        assert response.headers["Location"] == "/home", role
        assert client.get("/home").headers["Location"] == home, role
        assert client.get(home).status_code == 200, role
        # signed in already: the sign-in page sends him home too
        assert client.get("/login").headers["Location"] == "/home"


def test_a_sign_in_asked_for_by_a_page_returns_to_that_page(app, make_user):
    user = make_user("administrator")
    client = app.test_client()
    response = client.post(
        "/login?next=/admin/audit", data={"email": user.email, "password": TEST_PASSWORD, "next": "/admin/audit"}
    )
    assert response.headers["Location"] == "/admin/audit"


def test_someone_with_several_roles_starts_from_the_administrators_queue(app, make_user):
    user = make_user({"assessor", "administrator"})
    client = app.test_client()
    client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert client.get("/home").headers["Location"] == "/admin/queue"


def test_the_work_queue_counts_what_waits_and_what_is_overdue(app, submitted):
    fresh = submitted()
    old = submitted(code="KITCHEN-ASSIST-2")
    with app.app_context():
        db.session.get(Application, old.application_id).state_changed_at = utcnow() - timedelta(days=30)
        db.session.commit()
    client = fresh.admin
    client.post("/language", data={"language": "en"})
    html = client.get("/admin/queue").get_data(as_text=True)
    line = html.split('data-state="submitted"', 1)[1].split("</li>", 1)[0]
    assert '<span class="queue-count">2</span>' in line
    assert "Check eligibility and assign assessors" in line
    assert "1 overdue" in line
    assert 'href="/admin/applications?state=submitted"' in line
    # the overdue application itself is listed with its candidate, and only it
    overdue = html.split('class="data overdue-list"', 1)[1].split("</table>", 1)[0]
    assert f'href="/applications/{old.application_id}"' in overdue
    assert f'href="/applications/{fresh.application_id}"' not in overdue
    # nothing waits for a decision: its line says 0
    decision = html.split('data-state="awaiting_decision"', 1)[1].split("</li>", 1)[0]
    assert '<span class="queue-count">0</span>' in decision


def test_the_work_queue_is_the_administrators_only(login_as):
    assert login_as("candidate").get("/admin/queue").status_code == 403
    assert login_as("assessor").get("/admin/queue").status_code == 403
