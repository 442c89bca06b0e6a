"""The assessment report is made again when the certificate is issued: the new one names the certificate and the
moderator; the one made at the decision is kept."""

from __future__ import annotations

import re

from sqlalchemy import select

from certcenter.accounts.models import User
from certcenter.assessments.models import FinalRating
from certcenter.certificates.models import Certificate
from certcenter.core.storage import get_storage
from certcenter.extensions import db
from certcenter.reports.models import ASSESSMENT, READY, Report
from tests.certificates.conftest import pdftotext


def test_the_report_made_at_issue_names_the_certificate_and_the_moderator(app, confirmed, login_as, tmp_path):
    (application_id,) = confirmed(1, moderated=True)
    with app.app_context():
        before = db.session.scalars(select(Report).where(Report.application_id == application_id)).all()
        assert [report.kind for report in before] == [ASSESSMENT]  # made at the decision
        moderator = db.session.scalar(select(FinalRating).where(FinalRating.moderated_by_id.is_not(None))).moderated_by
        moderator_name = db.session.get(User, moderator.id).full_name
    admin = login_as("admin")
    admin.post("/language", data={"language": "en"})
    admin.post("/admin/certificates/issue", data={"application": [str(application_id)]})
    with app.app_context():
        number = db.session.scalar(select(Certificate.number))
        reports = db.session.scalars(
            select(Report).where(Report.application_id == application_id).order_by(Report.id)
        ).all()
        assert len(reports) == 2 and all(report.status == READY for report in reports)
        texts = []
        for report in reports:
            with get_storage().open(report.storage_key) as handle:
                texts.append(re.sub(r"\s+", " ", pdftotext(handle.read(), tmp_path)))
    at_decision, at_issue = texts
    assert number not in at_decision  # kept as it was made
    assert number in at_issue
    assert f"Moderated by {moderator_name}: The welding sample shows it in full." in at_issue
