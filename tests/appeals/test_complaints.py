"""The complaints desk as its users meet it: an anonymous visitor files a complaint and follows it by its reference
and secret link; robots are turned away without a CAPTCHA; an administrator acknowledges it and assigns an
investigator who is neither its subject nor its complainant; the investigator's findings and answer reach the
complainant's page; a certificate complained about is shown to act on."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from certcenter.appeals.models import Complaint
from certcenter.core.models import AuditEntry
from certcenter.extensions import db
from certcenter.notifications.models import Notification

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def shown_token(client, language: str | None = None) -> str:
    page = client.get("/complaints/new").get_data(as_text=True)
    return re.search(r'name="shown" type="hidden" value="([^"]+)"', page).group(1)


def complaint_form(client, **fields) -> dict:
    return {
        "category": "assessor",
        "subject_kind": "assessor",
        "subject_name": "Асқар Бекұлы",
        "text": "Бағалаушы емтихан кезінде телефонмен сөйлесіп отырды.",
        "contact_name": "Гүлнар Сейітова",
        "contact_email": "gulnar@example.kz",
        "shown": shown_token(client),
        **fields,
    }


@pytest.fixture
def desk(app, monkeypatch):
    """The desk without its wait (the robots' test puts it back)."""
    monkeypatch.setitem(app.config, "COMPLAINT_MIN_FILL_SECONDS", 0)
    return app.test_client()


def file(client, **fields):
    return client.post("/complaints/new", data=complaint_form(client, **fields), content_type="multipart/form-data")


def test_an_anonymous_visitor_files_a_complaint_and_follows_it_by_its_secret_link(app, desk, login_as):
    admin = login_as("admin")
    response = file(desk, attachment=(io.BytesIO(PDF), "photo of the room.pdf"))
    assert response.status_code == 302
    link = response.headers["Location"]
    page = desk.get(link).get_data(as_text=True)
    reference = re.search(r"C-\d{4}-\d{5}", page).group(0)
    assert '<dd data-state="received">Қабылданды</dd>' in page
    with app.app_context():
        complaint = db.session.scalar(select(Complaint))
        assert complaint.reference == reference
        assert complaint.filed_by_id is None and complaint.attachment_type == "application/pdf"
        assert complaint.secret_hash not in link  # only the digest is kept, the link carries the secret
        told = db.session.scalars(select(Notification).where(Notification.user_id == admin.user.id)).all()
        assert [notice.kind for notice in told] == ["complaint.received"]
    # the administrator's list shows it, with its deadline
    listing = admin.get("/admin/complaints").get_data(as_text=True)
    assert reference in listing
    # a wrong secret, or another complaint's link, opens nothing
    assert desk.get(link[:-3] + "xyz").status_code == 404
    second = file(app.test_client(), text="Басқа шағым").headers["Location"]
    other_reference = second.split("/")[2]
    assert desk.get(f"/complaints/{other_reference}/{link.rsplit('/', 1)[1]}").status_code == 404
    assert app.test_client().get(second).status_code == 200


def test_robots_are_turned_away_without_a_captcha(app, monkeypatch):
    client = app.test_client()
    # the hidden field a person never sees, filled in
    monkeypatch.setitem(app.config, "COMPLAINT_MIN_FILL_SECONDS", 0)
    kazakh = "Форма тым тез немесе толық емес күйде жіберілді"
    response = file(client, website="http://spam.example")
    assert response.status_code == 400
    assert kazakh in response.get_data(as_text=True)
    # sent without the form having been shown (no signed time), or sooner than a person could have read it
    response = client.post("/complaints/new", data={**complaint_form(client), "shown": "forged"})
    assert response.status_code == 400
    assert kazakh in response.get_data(as_text=True)
    monkeypatch.setitem(app.config, "COMPLAINT_MIN_FILL_SECONDS", 30)
    client.post("/language", data={"language": "ru"})
    response = file(client)
    assert response.status_code == 400
    assert "Форма отправлена слишком быстро" in response.get_data(as_text=True)
    # and what was typed is still there
    assert "Бағалаушы емтихан кезінде" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Complaint)) is None


def test_the_desk_is_rate_limited_per_address(make_app):
    limited = make_app(RATELIMIT_ENABLED=True, COMPLAINT_MIN_FILL_SECONDS=0, COMPLAINT_RATE_LIMIT="2 per hour")
    client = limited.test_client()
    statuses = [file(client, text=f"шағым {n}").status_code for n in range(3)]
    assert statuses == [302, 302, 429]


def test_an_attachment_is_judged_by_its_content(app, desk):
    response = file(desk, attachment=(io.BytesIO(b"MZ\x90\x00 a program"), "scan.pdf"))
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(Complaint)) is None


def test_handling_an_investigator_who_is_not_the_subject_answers_the_complainant(app, desk, login_as, make_user):
    admin = login_as("admin")
    accused = login_as("assessor", full_name="Асқар Бекұлы")
    investigator = login_as("assessor", full_name="Дана Әлиева")
    candidate = login_as("candidate", full_name="Гүлнар Сейітова")
    link = file(candidate).headers["Location"]
    with app.app_context():
        complaint_id = db.session.scalar(select(Complaint.id))
    base = f"/admin/complaints/{complaint_id}"
    assert admin.post(f"{base}/acknowledge", data={"note": "Шағымыңыз қабылданды."}).status_code == 302
    assert "Шағымыңыз қабылданды." in desk.get(link).get_data(as_text=True)
    assert admin.post(f"{base}/subject", data={"subject": accused.user.id}).status_code == 302
    # the person complained about may not investigate it, nor see it
    refused = admin.post(f"{base}/assign", data={"investigator": accused.user.id})
    assert refused.status_code == 409
    assert "Асқар Бекұлы — осы шағымның нысаны" in refused.get_data(as_text=True)
    assert accused.get(f"/complaints/handling/{complaint_id}").status_code == 404
    # nor the complainant, if he is staff: the candidate here is not staff at all
    assert "Тексеруші — орталықтың әкімшісі немесе бағалаушысы" in admin.post(
        f"{base}/assign", data={"investigator": candidate.user.id}
    ).get_data(as_text=True)
    assert admin.post(f"{base}/assign", data={"investigator": investigator.user.id}).status_code == 302
    # only the investigator closes it; the administrator who assigned him does not
    answer = {"findings": "Куәлар растады.", "outcome": "upheld", "response": "Бағалаушыға ескерту жасалды."}
    assert admin.post(f"/complaints/handling/{complaint_id}/outcome", data=answer).status_code == 409
    assert investigator.get(f"/complaints/handling/{complaint_id}").status_code == 200
    assert investigator.post(f"/complaints/handling/{complaint_id}/outcome", data=answer).status_code == 302
    follow = desk.get(link).get_data(as_text=True)
    assert "Бағалаушыға ескерту жасалды." in follow
    assert "Куәлар растады." not in follow  # the findings stay inside the centre
    with app.app_context():
        complaint = db.session.get(Complaint, complaint_id)
        assert (complaint.state, complaint.outcome) == ("closed", "upheld")
        actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
        assert [a for a in actions if a.startswith("complaint.")] == [
            "complaint.file",
            "complaint.acknowledge",
            "complaint.subject",
            "complaint.assign_refused",
            "complaint.assign_refused",
            "complaint.assign",
            "complaint.close",
        ]
        kinds = db.session.scalars(
            select(Notification.kind).where(Notification.user_id == candidate.user.id).order_by(Notification.id)
        ).all()
        assert kinds == ["complaint.answered", "complaint.answered"]
    # closed: nothing more changes it
    assert investigator.post(f"/complaints/handling/{complaint_id}/outcome", data=answer).status_code == 409


def test_a_complaint_about_a_holder_shows_the_certificate_to_act_on(app, desk, login_as, confirmed):
    from certcenter.certificates.models import Certificate
    from certcenter.certificates.services import issue_certificates

    admin = login_as("admin")
    (application_id,) = confirmed(1)
    with app.app_context():
        from certcenter.accounts.models import User

        issue_certificates([application_id], actor=db.session.get(User, admin.user.id))
        db.session.commit()
        number = db.session.scalar(select(Certificate.number))
    file(desk, category="certificate_misuse", subject_kind="holder", certificate_number=number.lower())
    with app.app_context():
        complaint_id = db.session.scalar(select(Complaint.id))
    page = admin.get(f"/complaints/handling/{complaint_id}").get_data(as_text=True)
    assert f"№ {number}" in page and "/admin/certificates/" in page


def test_the_footer_of_every_page_leads_to_the_desk(client):
    assert 'href="/complaints/new"' in client.get("/").get_data(as_text=True)
    assert 'href="/complaints/new"' in client.get("/qualifications").get_data(as_text=True)
