"""The demo-scale data set's certificates: issued after a confirming decision, with their later life (revoked,
reissued, suspended, expired), numbered from the yearly series in the order of issue once the batch is planned.

They are issued without a PDF: their rendering is marked failed with a message saying so, which the render sweep
leaves alone (it re-sends only queued and rendering ones); an administrator renders one with "Retry" on its page."""

from __future__ import annotations

import base64
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from certcenter.applications import workflow as wf
from certcenter.certificates.models import EXPIRED, FAILED, REVOKED, SUPERSEDED, SUSPENDED, VALID
from certcenter.certificates.numbering import format_number, reserve_block
from certcenter.certificates.services import add_years, centre_as_stated
from certcenter.demo.clock import days, office
from certcenter.demo.context import Context
from certcenter.demo.decisions import Decided
from certcenter.demo.history import History
from certcenter.demo.people import Candidate, Staff
from certcenter.demo.qualifications import DemoQualification

RENDER_NOTE = "Demo data set: no PDF was rendered for this certificate. Use Retry to render it."

SUSPENSIONS = [
    "Проверка подлинности документов по запросу работодателя.",
    "Жұмыс берушінің сұрауы бойынша құжаттардың түпнұсқалығын тексеру.",
]
REVOCATIONS = [
    "Установлена недостоверность представленных документов.",
    "Решение отменено по результатам внутренней проверки.",
]
REISSUES = [
    "Смена фамилии (свидетельство о заключении брака).",
    "Утеря сертификата; выдан дубликат.",
    "Запрошена версия на английском языке.",
]


class Certificates:
    def __init__(self, context: Context, staff: Staff) -> None:
        self.context = context
        self.administrators = staff.administrators
        self.centre = centre_as_stated()
        self.planned: list[dict[str, Any]] = []  # certificate rows without id and number, until ``write``

    def issue(self, candidate: Candidate, qualification: DemoQualification, history: History, decided: Decided) -> None:
        """An administrator issues the certificate a couple of days after a confirming decision (if by now)."""
        rng = self.context.rng
        issuer = rng.choice(self.administrators)[0]
        issued = office(rng, decided.at + days(rng, 2))
        if history.move(wf.CERTIFIED, issued, issuer):
            self._plan(candidate, qualification, history.application_id, decided, issued, issuer)

    def _plan(
        self,
        candidate: Candidate,
        qualification: DemoQualification,
        application_id: int,
        decided: Decided,
        issued: datetime,
        issuer: int,
    ) -> None:
        """The certificate and its later life (revoked, reissued, suspended, expired); numbers are given at the end,
        in the order of issue."""
        rng, now, today = self.context.rng, self.context.now, self.context.today
        issued_on = issued.date()
        expires_on = add_years(issued_on, qualification.validity_years)
        common = {
            "decision_id": decided.id,
            "application_id": application_id,
            "holder_name": candidate.full_name,
            "holder_name_latin": candidate.full_name_latin,
            "iin_last4": candidate.iin[-4:],
            **qualification.certificate,
            "centre": self.centre,
            "decided_on": decided.at.date(),
            "status_reason": None,
            "status_changed_at": None,
            "replaces_id": None,
            "render_status": FAILED,
            "render_attempts": 0,
            "render_error": RENDER_NOTE,
            "storage_key": None,
            "sha256": None,
            "size": None,
            "rendered_at": None,
        }
        first = common | {
            "generation": 1,
            "issued_on": issued_on,
            "expires_on": expires_on,
            "english": rng.random() < 0.08,
            "status": VALID,
            "issued_by_id": issuer,
            "created_at": issued,
            "verification_code": self._code(),
        }
        self.planned.append(first)
        in_force_until = min(now, datetime(*expires_on.timetuple()[:3], tzinfo=UTC))
        draw = rng.random()
        changed = office(rng, issued + (in_force_until - issued) * rng.random())
        current = first
        if draw < 0.006 and changed < in_force_until:
            first.update(status=REVOKED, status_reason=rng.choice(REVOCATIONS), status_changed_at=changed)
            return
        if draw < 0.03 and changed < in_force_until and changed.date() < expires_on:
            current = self._reissue(common, first, changed)
        if current["expires_on"] < today:
            expired = datetime(*(current["expires_on"] + timedelta(days=1)).timetuple()[:3], 0, 5, tzinfo=UTC)
            current.update(status=EXPIRED, status_changed_at=min(expired, now))
        elif draw > 0.985 and changed < now:
            suspended = max(changed, current["created_at"])
            current.update(status=SUSPENDED, status_reason=rng.choice(SUSPENSIONS), status_changed_at=suspended)

    def _reissue(self, common: dict[str, Any], first: dict[str, Any], changed: datetime) -> dict[str, Any]:
        """``first`` is superseded at ``changed`` by a second generation; returns that."""
        rng = self.context.rng
        reason = rng.choice(REISSUES)
        first.update(status=SUPERSEDED, status_reason=reason, status_changed_at=changed)
        second = common | {
            "generation": 2,
            "issued_on": changed.date(),
            "expires_on": first["expires_on"],  # a replacement does not extend the validity
            "english": first["english"] or reason == REISSUES[2],
            "status": VALID,
            "issued_by_id": rng.choice(self.administrators)[0],
            "created_at": changed,
            "verification_code": self._code(),
            "replaces": first,
        }
        self.planned.append(second)
        return second

    def _code(self) -> str:
        return base64.urlsafe_b64encode(self.context.rng.getrandbits(144).to_bytes(18, "big")).decode()

    def write(self) -> None:
        """Number the certificates in the order of issue, taking each year's numbers from its series in one step
        (under the series row's lock), so that certificates issued later continue the sequence."""
        self.planned.sort(key=lambda certificate: certificate["created_at"])
        per_year = Counter(certificate["issued_on"].year for certificate in self.planned)
        next_numbers = {year: reserve_block(year, count) for year, count in sorted(per_year.items())}
        for certificate in self.planned:
            year = certificate["issued_on"].year
            certificate["id"] = self.context.ids["certificates"]()
            certificate["number"] = format_number(year, next_numbers[year])
            next_numbers[year] += 1
            replaces = certificate.pop("replaces", None)
            if replaces is not None:
                certificate["replaces_id"] = replaces["id"]
            self.context.writer.add("certificates", certificate)
        self.context.writer.flush()

    def statuses(self) -> dict[str, int]:
        return dict(Counter(certificate["status"] for certificate in self.planned))
