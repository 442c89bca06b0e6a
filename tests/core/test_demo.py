"""`certcenter setup` (what `make run` runs): migrations, the NQF, and a demo data set a new user can walk through."""

from sqlalchemy import func, select

from certcenter.appeals.models import Appeal, Complaint
from certcenter.applications.models import Application
from certcenter.assessments.models import Assignment
from certcenter.demo import DEMO_PASSWORD, DEMO_USERS
from certcenter.extensions import db
from certcenter.qualifications.models import Qualification
from tests.conftest import login


def test_setup_loads_the_demo_and_is_idempotent(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["setup"])
    second = runner.invoke(args=["setup"])
    assert first.exit_code == 0, first.output
    assert "framework kz-nqf-2013: created" in first.output and "kz-nqf-2013: unchanged" in second.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Qualification)) >= 6
        states = sorted(db.session.scalars(select(Application.state)))
        # + a holder near expiry, a person past retention; a welder who may appeal, another whose appeal is heard, a
        # holder whose certificate's suspension is appealed against
        assert states == ["appealed", "certified", "certified", "in_assessment", "not_confirmed", "withdrawn"]
        assert db.session.scalar(select(func.count()).select_from(Assignment)) == 10
        appeal, against_suspension = db.session.scalars(select(Appeal).order_by(Appeal.id)).all()
        assert appeal.state == "under_review" and len(appeal.members) == 1
        assert (against_suspension.subject, against_suspension.appealed_status) == ("certificate_status", "suspended")
        assert against_suspension.state == "under_review" and len(against_suspension.members) == 2
        assert [vote.outcome for vote in against_suspension.votes] == ["reinstated"]
        # the complaints desk, with one waiting (and one closed six years ago, past its retention period)
        (complaint,) = db.session.scalars(select(Complaint).where(Complaint.state != "closed")).all()
        assert complaint.state == "acknowledged" and complaint.investigator_id is None
        assert db.session.scalar(select(func.count()).where(Complaint.state == "closed")) == 1
    admin = app.test_client()
    login(admin, "admin@demo.certcenter.kz", DEMO_PASSWORD)
    assert complaint.reference in admin.get("/admin/complaints").get_data(as_text=True)
    for role, email in DEMO_USERS:
        client = app.test_client()
        assert login(client, email, DEMO_PASSWORD).status_code == 302, role
    assessor = app.test_client()
    login(assessor, "assessor@demo.certcenter.kz", DEMO_PASSWORD)
    assessor.post("/language", data={"language": "en"})
    assert "Declare any conflict of interest" in assessor.get("/assess").get_data(as_text=True)


def test_the_readme_lists_the_demo_logins_serve_prints():
    from pathlib import Path

    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    table = readme.split("Demo logins (password `demo-password` for all):", 1)[1].split("\n\n", 2)[1]
    listed = [tuple(cell.strip() for cell in line.strip("|").split("|"))[:2] for line in table.splitlines()[2:]]
    assert listed == [(role, email) for role, email in DEMO_USERS]


def test_the_demo_shows_a_certificate_to_renew_and_records_past_retention(app):
    assert app.test_cli_runner().invoke(args=["setup"]).exit_code == 0
    holder = app.test_client()
    assert login(holder, "holder@demo.certcenter.kz", DEMO_PASSWORD).status_code == 302
    holder.post("/language", data={"language": "en"})
    dashboard = holder.get("/dashboard").get_data(as_text=True)
    assert "renewal-prompt" in dashboard and "renew it from your dashboard" in dashboard
    assert "surveillance-prompt" in dashboard  # its mid-term check is overdue: on /admin/surveillance too
    admin = app.test_client()
    login(admin, "admin@demo.certcenter.kz", DEMO_PASSWORD)
    admin.post("/language", data={"language": "en"})
    records = admin.get("/admin/records").get_data(as_text=True)
    assert 'data-target="CandidateProfile:' in records  # the person whose withdrawn application is six years old
    assert 'data-target="Complaint:' in records  # the complaint closed six years ago
    assert "holder@demo" not in records
    assert "KZQC-" in admin.get("/admin/surveillance").get_data(as_text=True)


def test_the_demo_shows_the_period_to_appeal_and_an_appeal_under_way(app):
    assert app.test_cli_runner().invoke(args=["setup"]).exit_code == 0
    daniyar = app.test_client()
    login(daniyar, "daniyar@demo.certcenter.kz", DEMO_PASSWORD)
    daniyar.post("/language", data={"language": "en"})
    dashboard = daniyar.get("/dashboard").get_data(as_text=True)
    assert "You may appeal against this decision until" in dashboard
    marat = app.test_client()
    login(marat, "marat@demo.certcenter.kz", DEMO_PASSWORD)
    marat.post("/language", data={"language": "en"})
    assert "Under review by the appeals panel" in marat.get("/dashboard").get_data(as_text=True)
    member = app.test_client()
    login(member, "panel@demo.certcenter.kz", DEMO_PASSWORD)
    member.post("/language", data={"language": "en"})
    with app.app_context():
        appeal_id, suspension_id = db.session.scalars(select(Appeal.id).order_by(Appeal.id)).all()
    assert "Before you see the case, declare" in member.get(f"/appeals/{appeal_id}").get_data(as_text=True)
    # on the suspension's panel he has declared: one vote is cast, his decides
    case = member.get(f"/appeals/{suspension_id}").get_data(as_text=True)
    assert "Voted: Upheld: the certificate is valid again" in case and "Cast your vote" in case
    asel = app.test_client()
    login(asel, "asel@demo.certcenter.kz", DEMO_PASSWORD)
    asel.post("/language", data={"language": "en"})
    card = asel.get("/dashboard").get_data(as_text=True)
    assert "Under review by the appeals panel" in card and "valid again" not in card
