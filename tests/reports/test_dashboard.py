"""The administrators' dashboard (figures from a snapshot a worker refreshes) and the statistics report PDF."""

from __future__ import annotations

import re
import subprocess
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from certcenter.accounts.models import User
from certcenter.core.models import utcnow
from certcenter.core.storage import get_storage
from certcenter.extensions import db
from certcenter.reports.models import Report, StatisticsSnapshot


def pdf_lines(pdf: bytes, tmp_path) -> list[str]:
    """The PDF's text line by line as laid out on the page (a table row is one line), spaces made single."""
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return [re.sub(r"\s+", " ", line).strip() for line in text.splitlines()]


def figure(html: str, name: str) -> str:
    match = re.search(rf'data-figure="{name}">([^<]*)<', html)
    assert match, name
    return match.group(1).strip()


@pytest.mark.parametrize("role, status", [("candidate", 403), ("assessor", 403), ("admin", 200)])
def test_only_administrators_see_the_dashboard(login_as, role, status):
    client = login_as(role)
    assert client.get("/admin/dashboard").status_code == status
    assert client.get("/admin/dashboard/live.json").status_code == status
    assert client.post(
        "/admin/reports/statistics", data={"date_from": "2026-01-01", "date_to": "2026-03-31"}
    ).status_code in ((403,) if status == 403 else (302,))


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/admin/dashboard")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_dashboard_shows_the_figures_and_charts(app, fixed_data, login_as):
    admin = login_as("admin", locale="en")
    html = admin.get("/admin/dashboard?period=all").get_data(as_text=True)
    # all time: A1–A6 and A8 were received (A7 is a draft); A1, A2, A5 decided, two of them confirmed
    assert figure(html, "received") == "7"
    assert figure(html, "decided") == "3"
    assert figure(html, "confirmation-rate") == "66.7 %"
    figures = html.split('id="dashboard-figures"')[1].split('<section class="panel">')[0]
    assert figures.count("<svg") == 7 and "<script" not in figures and "<style" not in figures
    assert 'href="/reports/charts.css"' in html
    assert "Assessor X" in html and "WELD-3" in html
    with app.app_context():
        snapshot = db.session.scalar(select(StatisticsSnapshot).where(StatisticsSnapshot.period_key == "all"))
        assert snapshot.data["applications_by_state"]["certified"] == 1
    css = admin.get("/reports/charts.css")
    rules = css.get_data(as_text=True)
    assert css.status_code == 200 and css.mimetype == "text/css" and ".pygal-chart .graph > .background" in rules


def test_an_unknown_period_is_not_found(login_as):
    assert login_as("admin").get("/admin/dashboard?period=forever").status_code == 404


def test_watching_reads_the_snapshot_and_a_stale_one_is_refreshed_by_a_worker(app, fixed_data, login_as):
    admin = login_as("admin", locale="en")
    first = admin.get("/admin/dashboard/live.json?period=all").get_json()
    assert first["refreshing"] is False and 'data-figure="received">7<' in first["html"]
    # a new application arrives; a fresh snapshot does not see it yet
    with app.app_context():
        db.session.execute(update(StatisticsSnapshot).values(computed_at=utcnow()))
        from certcenter.applications.models import Application

        draft = db.session.scalar(select(Application).where(Application.state == "draft"))
        draft.state, draft.submitted_at = "submitted", utcnow()
        db.session.commit()
    assert 'data-figure="received">7<' in admin.get("/admin/dashboard/live.json?period=all").get_json()["html"]
    # a minute later the next poll queues a refresh (run at once by the test's eager worker) and sees 8
    with app.app_context():
        db.session.execute(update(StatisticsSnapshot).values(computed_at=utcnow() - timedelta(minutes=2)))
        db.session.commit()
    stale = admin.get("/admin/dashboard/live.json?period=all").get_json()
    assert stale["refreshing"] is True
    fresh = admin.get("/admin/dashboard/live.json?period=all").get_json()
    assert 'data-figure="received">8<' in fresh["html"] and fresh["computed_at"] != first["computed_at"]


def test_names_from_the_database_are_escaped_in_tables_and_charts(app, fixed_data, login_as):
    with app.app_context():
        db.session.execute(
            update(User).where(User.full_name == "Assessor X").values(full_name='<img src=x onerror="alert(1)">')
        )
        db.session.commit()
    html = login_as("admin").get("/admin/dashboard?period=all").get_data(as_text=True)
    assert "<img src=x" not in html and "&lt;img src=x" in html


def test_the_statistics_report_pdf_has_the_figures(app, fixed_data, login_as, tmp_path):
    admin = login_as("admin", locale="en")
    response = admin.post("/admin/reports/statistics", data={"date_from": "2026-01-01", "date_to": "2026-03-31"})
    assert response.status_code == 302
    with app.app_context():
        report = db.session.scalars(select(Report).order_by(Report.id.desc())).first()
        assert report.kind == "statistics" and report.status == "ready", report.error
        with get_storage().open(report.storage_key) as handle:
            lines = pdf_lines(handle.read(), tmp_path)
    page = admin.get(f"/reports/{report.id}").get_data(as_text=True)
    assert "Centre statistics" in page and "/download" in page
    assert "Centre statistics" in lines and "Period: Jan 1, 2026 – Mar 31, 2026" in lines[3]
    for row in [
        "Not eligible 1",
        "In assessment 2",
        "Certificate issued 1",
        "3 2 1 50 %",  # NQF level 3: decided, confirmed, rate
        "4 1 1 100 %",
        "Submitted 3 2 4",  # stays, median, 90th percentile
        "In assessment 3 10 16",
        "Assessor X 2 2 0 62.5 %",
        "Assessor Z 2 1 1 50 %",
        "Knowledge 3 2 66.7 %",
        "Issued in the period 3",
        "Revoked in the period 1",
        "Requested 2",
        "Granted 1",
        "Lodged 1",
        "Upheld (assessed again) 1",
    ]:
        # a whole line, or a whole column of one (the exceptions and appeals tables stand side by side)
        assert any(line == row or line.startswith(f"{row} ") or line.endswith(f" {row}") for line in lines), row


def test_a_period_that_ends_before_it_starts_is_refused(login_as):
    admin = login_as("admin", locale="en")
    response = admin.post(
        "/admin/reports/statistics", data={"date_from": "2026-03-01", "date_to": "2026-01-01"}, follow_redirects=True
    )
    assert "The period ends before it starts." in response.get_data(as_text=True)


def test_a_statistics_report_is_for_administrators_only(app, fixed_data, login_as):
    admin = login_as("admin")
    admin.post("/admin/reports/statistics", data={"date_from": "2026-01-01", "date_to": "2026-03-31"})
    with app.app_context():
        report_id = db.session.scalars(select(Report.id).order_by(Report.id.desc())).first()
    for role in ("candidate", "assessor"):
        client = login_as(role)
        for url in (f"/reports/{report_id}", f"/reports/{report_id}/status.json", f"/reports/{report_id}/download"):
            assert client.get(url).status_code == 404, (role, url)
    assert admin.get(f"/reports/{report_id}/download").status_code == 200
