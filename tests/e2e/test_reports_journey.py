"""An administrator watches the dashboard update itself when a worker recomputes the figures, asks for the
statistics report, follows its progress bar and downloads the PDF when it completes (a real worker)."""

import subprocess
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select, update

from certcenter.applications.models import Application
from certcenter.core.models import utcnow
from certcenter.extensions import db
from certcenter.reports.models import StatisticsSnapshot
from tests.e2e.test_certificate_journey import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.worker]


def test_live_dashboard_and_a_statistics_report(browser, live_server_with_worker, app, fixed_data, make_user, tmp_path):
    admin_user = make_user("administrator")
    admin = sign_in(browser, live_server_with_worker, admin_user.email)
    admin.locator(".nav-more summary").click()
    admin.get_by_role("link", name="Dashboard").click()
    admin.get_by_role("link", name="All time").click()
    received = admin.locator("[data-figure=received]")
    expect(received).to_have_text("7", use_inner_text=True)
    expect(admin.locator("#figure-levels svg")).to_be_visible()

    # A draft is submitted and the figures are a few minutes old: the next view asks a worker for fresh ones
    # and the page swaps them in by itself.
    with app.app_context():
        draft = db.session.scalar(select(Application).where(Application.state == "draft"))
        draft.state, draft.submitted_at = "submitted", utcnow()
        db.session.execute(update(StatisticsSnapshot).values(computed_at=utcnow() - timedelta(minutes=5)))
        db.session.commit()
    admin.reload()
    expect(admin.locator("#dashboard-refreshing")).to_be_visible()
    admin.locator("[data-figure=received]", has_text="8").wait_for(timeout=60_000)
    expect(admin.locator("#dashboard-refreshing")).to_be_hidden()

    admin.get_by_label("From").fill("2026-01-01")
    admin.get_by_label("To").fill("2026-03-31")
    admin.get_by_role("button", name="Make the report").click()
    assert "/reports/" in admin.url
    expect(admin.locator("#report-bar")).to_be_visible()
    download_link = admin.get_by_role("link", name="Download the report")
    download_link.wait_for(timeout=90_000)
    with admin.expect_download() as download_info:
        download_link.click()
    pdf_path = tmp_path / "statistics.pdf"
    download_info.value.save_as(pdf_path)
    text = subprocess.run(["pdftotext", "-layout", str(pdf_path), "-"], capture_output=True, text=True).stdout
    assert "Centre statistics" in text and "Assessor X" in text

    admin.get_by_role("link", name="Reports").click()
    row = admin.locator("tr[data-status=ready]").first
    assert "Centre statistics" in row.inner_text() and admin_user.full_name in row.inner_text()
