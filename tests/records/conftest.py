"""Holders of certificates made through the services (see tests/certificates/conftest.py), signed in."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from certcenter.applications.models import Application
from certcenter.certificates.models import Certificate
from certcenter.extensions import db
from tests.certificates.conftest import confirmed  # noqa: F401 - a fixture used here
from tests.conftest import TEST_PASSWORD, login


@pytest.fixture
def holders(app, confirmed, login_as):  # noqa: F811
    """``holders(n)``: n people, each with a certificate issued by an administrator (the same one, ``admin``)."""
    admin = login_as("admin")
    admin.post("/language", data={"language": "en"})

    def _make(count: int = 1, **kwargs) -> list[SimpleNamespace]:
        ids = confirmed(count, **kwargs)
        assert admin.post("/admin/certificates/issue", data={"application": [str(i) for i in ids]}).status_code == 302
        people = []
        with app.app_context():
            for application_id in ids:
                application = db.session.get(Application, application_id)
                certificate = db.session.scalar(select(Certificate).where(Certificate.application_id == application_id))
                people.append(
                    SimpleNamespace(
                        email=application.candidate.user.email,
                        application_id=application_id,
                        profile_id=application.candidate_id,
                        user_id=application.candidate.user_id,
                        iin=application.candidate.iin,
                        certificate_id=certificate.id,
                        number=certificate.number,
                        code=certificate.verification_code,
                        expires_on=certificate.expires_on,
                        holder_name=certificate.holder_name,
                    )
                )
        for person in people:  # signed in outside the app context, so that each request has its own
            person.client = app.test_client()
            assert login(person.client, person.email, TEST_PASSWORD).status_code == 302
            person.client.post("/language", data={"language": "en"})
        return people

    _make.admin = admin
    return _make
