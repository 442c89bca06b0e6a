"""The item analysis after a sitting: on the administrators' page, and as a PDF report made by a worker (the reports
domain's item-analysis kind) with the same figures."""

import re
from datetime import date, timedelta

from sqlalchemy import select

from certcenter.core.storage import get_storage
from certcenter.extensions import db
from certcenter.reports.models import Report
from tests.certificates.conftest import pdftotext
from tests.exams.test_marking import answer_all, close


def test_the_item_analysis_page_and_its_pdf_report(app, exam, tmp_path):
    scene = exam(start=True)
    answer_all(app, scene)
    close(scene)
    admin = scene.admin
    admin.post("/language", data={"language": "en"})
    page = admin.get(f"/exams/sittings/{scene.sitting_id}/analysis")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "1 marked attempts." in html
    assert html.count('class="difficulty">1.00<') == 6  # one candidate, every answer right
    assert "everybody right" in html
    # the sitting starts in an hour: in the centre's last hour of a day, tomorrow (the default period ends today)
    until = (date.today() + timedelta(days=2)).isoformat()
    period = admin.get("/exams/analysis", query_string={"date_to": until}).get_data(as_text=True)
    assert f"{scene.sitting_id} · " in period
    response = admin.post("/admin/reports/item-analysis", data={"sitting_id": scene.sitting_id})
    assert response.status_code == 302
    with app.app_context():
        report = db.session.scalar(select(Report).where(Report.kind == "item_analysis"))
        assert (report.status, report.params) == ("ready", {"sitting_id": scene.sitting_id})  # the task ran eagerly
        with get_storage().open(report.storage_key) as handle:
            text = re.sub(r"\s+", " ", pdftotext(handle.read(), tmp_path))
    assert "Item analysis" in text and f"Sitting No. {scene.sitting_id}" in text
    assert "everybody" in text and "WELD-3-Q" in text and "1.00" in text
    assert (
        scene.candidate.post("/admin/reports/item-analysis", data={"sitting_id": scene.sitting_id}).status_code == 403
    )
