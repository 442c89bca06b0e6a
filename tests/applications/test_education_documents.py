"""A diploma attached to an education record is shown to the assessors as such: labelled with its record, in its own
group, and once only when the candidate also uploaded the same file to the application."""

from __future__ import annotations

import io

from certcenter.accounts.models import User
from certcenter.applications.models import Application
from certcenter.candidates import services as candidates
from certcenter.extensions import db
from tests import samples


def attach_diploma(app, application_id, content, name, institution):
    with app.test_request_context():
        profile = db.session.get(Application, application_id).candidate
        user = db.session.get(User, profile.user_id)
        candidates.add_education(
            profile,
            actor=user,
            level="technical_vocational",
            institution=institution,
            speciality="Дәнекерлеу",
            year_completed=2012,
            document=io.BytesIO(content),
            document_name=name,
        )
        db.session.commit()


def test_the_same_diploma_twice_is_one_item_labelled_with_its_record(app, in_assessment):
    scene = in_assessment()
    # the application's evidence already holds diploma.pdf (samples.PDF); the same file goes on an education record
    attach_diploma(app, scene.application_id, samples.PDF, "diploma.pdf", "Қарағанды политехникалық колледжі")
    assessor = scene.assessors[0]
    assessor.post("/language", data={"language": "en"})
    html = assessor.get(f"/assess/{scene.assignment_ids[0]}").get_data(as_text=True)
    assert html.count("<h3>diploma.pdf</h3>") == 1
    assert "Also attached to an education record: " in html
    assert "Қарағанды политехникалық колледжі, 2012" in html
    assert "Documents attached to education records" not in html  # nothing beyond the application's own items


def test_a_diploma_only_on_the_profile_is_shown_in_its_own_group(app, in_assessment):
    scene = in_assessment()
    other = samples.PDF.replace(b"%%EOF", b"% another diploma\n%%EOF")
    attach_diploma(app, scene.application_id, other, "college-diploma.pdf", "Алматы колледжі")
    assessor = scene.assessors[0]
    assessor.post("/language", data={"language": "en"})
    html = assessor.get(f"/assess/{scene.assignment_ids[0]}").get_data(as_text=True)
    assert html.count("<h3>college-diploma.pdf</h3>") == 1
    group = html.split("Documents attached to education records", 1)[1]
    assert "<h3>college-diploma.pdf</h3>" in group and "<h3>diploma.pdf</h3>" not in group
    assert "Document of an education record: " in group and "Алматы колледжі, 2012" in group
    assert "college-diploma.pdf (education record)" in html  # where a rating names the evidence it rests on
