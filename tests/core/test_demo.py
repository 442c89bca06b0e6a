"""`certcenter setup` (what `make run` runs): migrations, the NQF, and a demo data set a new user can walk through."""

from sqlalchemy import func, select

from certcenter.appeals.models import Complaint
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
        (application,) = db.session.scalars(select(Application)).all()
        assert application.state == "in_assessment"
        assert db.session.scalar(select(func.count()).select_from(Assignment)) == 2
        (complaint,) = db.session.scalars(select(Complaint)).all()  # the complaints desk, with one waiting
        assert complaint.state == "acknowledged" and complaint.investigator_id is None
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
