"""Import and export of the bank: the XLSX template (every row checked, problems by row and column, nothing imported
unless all rows are right) and QTI 3.0 packages (export then import gives the same questions; unsafe or unknown XML
is refused)."""

import io
import zipfile

from openpyxl import load_workbook
from sqlalchemy import select

from certcenter.exams import kinds
from certcenter.exams.models import Question
from certcenter.extensions import db
from tests.exams.conftest import make_bank

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def template(client, qualification_id):
    response = client.get(f"/exams/qualifications/{qualification_id}/template.xlsx")
    assert response.status_code == 200 and response.mimetype == XLSX
    return load_workbook(io.BytesIO(response.data))


def upload(client, qualification_id, workbook):
    buffer = io.BytesIO()
    workbook.save(buffer)
    return client.post(
        f"/exams/qualifications/{qualification_id}/import",
        data={"file": (io.BytesIO(buffer.getvalue()), "bank.xlsx")},
        content_type="multipart/form-data",
    )


def row(**values):
    from certcenter.exams.transfer import COLUMNS

    base = {"unit": "LF1", "descriptor": "knowledge", "kind": "single", "question_kk": "Сұрақ", "question_ru": "Вопрос",
            "options_kk": "Бір\nЕкі", "options_ru": "Один\nДва", "correct": "A"}  # fmt: skip
    base.update(values)
    return [base.get(column, "") for column in COLUMNS]


def count(app):
    with app.app_context():
        return db.session.scalar(select(db.func.count()).select_from(Question))


def test_an_xlsx_with_errors_imports_nothing_and_names_each_row_and_column(app, catalogue, login_as):
    client = login_as("assessor")
    client.post("/language", data={"language": "en"})
    workbook = template(client, catalogue["WELD-3"])
    sheet = workbook["Questions"]
    sheet.append(row())  # row 2: right
    sheet.append(row(unit="LF9"))  # row 3: no such unit
    sheet.append(row(kind="numeric", value="много", options_kk="", options_ru="", correct=""))  # row 4: no number
    sheet.append(row(kind="multiple", correct="A, E"))  # row 5: no option E
    sheet.append(row(question_ru=""))  # row 6: no Russian
    response = upload(client, catalogue["WELD-3"], workbook)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    for number, cell in ((3, "B (unit)"), (4, "M (value)"), (5, "L (correct)"), (6, "G (question_ru)")):
        assert f"<tr><td>{number}</td><td>{cell}</td>" in html, (number, cell)
    assert "<tr><td>2</td>" not in html
    assert count(app) == 0


def test_a_correct_xlsx_is_imported_as_drafts_and_exported_the_same(app, catalogue, login_as):
    client = login_as("assessor")
    workbook = template(client, catalogue["WELD-3"])
    sheet = workbook["Questions"]
    sheet.append(row(code="W-1"))
    sheet.append(row(code="W-2", kind="true_false", options_kk="", options_ru="", correct="false", descriptor="skills"))
    sheet.append(
        row(code="W-3", kind="numeric", options_kk="", options_ru="", correct="", value="12,5", tolerance="0.5")
    )
    sheet.append(
        row(code="W-4", kind="matching", options_kk="a | b\nc | d", options_ru="а | б\nв | г", correct="", unit="LF2")
    )
    sheet.append(row(code="W-5", kind="short_text", options_kk="", options_ru="", correct="", accepted="доға\nдуга"))
    response = upload(client, catalogue["WELD-3"], workbook)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with app.app_context():
        questions = {q.code: q for q in db.session.scalars(select(Question))}
        assert set(questions) == {"W-1", "W-2", "W-3", "W-4", "W-5"}
        assert {q.status for q in questions.values()} == {"draft"}
        assert questions["W-2"].current.key == {"correct": ["F"]}
        assert questions["W-3"].current.key == {"value": 12.5, "tolerance": 0.5}
        assert questions["W-4"].current.key == {"pairs": {"L1": "R1", "L2": "R2"}}
        assert questions["W-5"].current.key == {"accepted": ["доға", "дуга"]}
    exported = client.get(f"/exams/qualifications/{catalogue['WELD-3']}/questions.xlsx")
    sheet = load_workbook(io.BytesIO(exported.data))["Questions"]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["W-4"][8] == "a | b\nc | d" and rows["W-3"][12] == "12.5"
    # the same workbook again: every code is already in the bank, so nothing is imported
    again = client.post(
        f"/exams/qualifications/{catalogue['WELD-3']}/import",
        data={"file": (io.BytesIO(exported.data), "bank.xlsx")},
        content_type="multipart/form-data",
    )
    assert again.status_code == 400 and count(app) == 5


def test_a_file_that_is_no_workbook_is_refused(app, catalogue, login_as):
    client = login_as("assessor")
    response = client.post(
        f"/exams/qualifications/{catalogue['WELD-3']}/import",
        data={"file": (io.BytesIO(b"code,unit\n1,LF1"), "bank.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400 and count(app) == 0


def snapshot(question):
    version = question.current
    return (
        question.kind,
        question.unit.code,
        question.descriptor,
        version.stem,
        version.options,
        version.key,
        version.points,
    )


def test_qti_export_then_import_gives_the_same_questions(app, catalogue, login_as, make_user):
    bank = make_bank(app, catalogue["WELD-3"], make_user("assessor"), make_user("administrator"))
    client = login_as("assessor")
    exported = client.get(f"/exams/qualifications/{bank.qualification_id}/questions-qti.zip")
    assert exported.status_code == 200
    with zipfile.ZipFile(io.BytesIO(exported.data)) as archive:
        names = archive.namelist()
        assert "imsmanifest.xml" in names and len(names) == 9  # eight items and the manifest
        item = archive.read(next(name for name in names if name.startswith("items/")))
        assert b"qti-assessment-item" in item and b"http://www.imsglobal.org/xsd/imsqtiasi_v3p0" in item
    with app.app_context():
        before = {q.code: snapshot(q) for q in db.session.scalars(select(Question))}
        for question in db.session.scalars(select(Question)):  # make room: the same codes come back
            question.code = f"old-{question.code}"
        db.session.commit()
    target = catalogue["WELD-3"]
    with app.app_context():
        from certcenter.qualifications.models import Qualification

        other_unit = db.session.get(Qualification, target).units[1].id
    response = client.post(
        f"/exams/qualifications/{target}/import-qti",
        data={
            "file": (io.BytesIO(exported.data), "bank.zip"),
            "unit_id": other_unit,
            "descriptor": "competence",
            "language": "ru",
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with app.app_context():
        after = {q.code: snapshot(q) for q in db.session.scalars(select(Question)) if not q.code.startswith("old-")}
        assert after == before


def item(body: str, declaration: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<qti-assessment-item xmlns="http://www.imsglobal.org/xsd/imsqtiasi_v3p0" identifier="tao-1" title="T" '
        f'adaptive="false" time-dependent="false" xml:lang="ru-RU">{declaration}<qti-item-body>{body}</qti-item-body>'
        "</qti-assessment-item>"
    ).encode()


def test_a_single_foreign_item_takes_the_language_and_unit_given(app, catalogue, login_as):
    client = login_as("assessor")
    xml = item(
        '<p>Какой газ защищает дугу?</p><qti-choice-interaction response-identifier="RESPONSE" max-choices="1">'
        '<qti-simple-choice identifier="C1">Аргон</qti-simple-choice><qti-simple-choice identifier="C2">Кислород'
        "</qti-simple-choice></qti-choice-interaction>",
        '<qti-response-declaration identifier="RESPONSE" cardinality="single" base-type="identifier">'
        "<qti-correct-response><qti-value>C1</qti-value></qti-correct-response></qti-response-declaration>",
    )
    with app.app_context():
        from certcenter.qualifications.models import Qualification

        unit = db.session.get(Qualification, catalogue["WELD-3"]).units[0].id
    response = client.post(
        f"/exams/qualifications/{catalogue['WELD-3']}/import-qti",
        data={"file": (io.BytesIO(xml), "item.xml"), "unit_id": unit, "descriptor": "knowledge", "language": "kk"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]
    with app.app_context():
        question = db.session.scalar(select(Question))
        assert (question.code, question.kind, question.unit_id) == ("tao-1", "single", unit)
        assert question.current.stem == {"kk": "", "ru": "Какой газ защищает дугу?", "en": ""}
        assert question.current.key == {"correct": ["C1"]}
        version = question.current
        no_kazakh = kinds.Content("single", version.stem, version.options, version.key)
        assert kinds.approval_problems(no_kazakh) != []  # no Kazakh yet: it stays a draft until someone adds it


def test_unsafe_or_unknown_qti_is_refused_and_nothing_imported(app, catalogue, login_as):
    client = login_as("assessor")
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
        b'<qti-assessment-item xmlns="http://www.imsglobal.org/xsd/imsqtiasi_v3p0" identifier="x">'
        b"&lol2;</qti-assessment-item>"
    )
    hotspot = item(
        '<qti-hotspot-interaction response-identifier="RESPONSE"/>',
        '<qti-response-declaration identifier="RESPONSE" cardinality="single" base-type="identifier"/>',
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.xml", bomb)
        archive.writestr("b.xml", hotspot)
    with app.app_context():
        from certcenter.qualifications.models import Qualification

        unit = db.session.get(Qualification, catalogue["WELD-3"]).units[0].id
    response = client.post(
        f"/exams/qualifications/{catalogue['WELD-3']}/import-qti",
        data={
            "file": (io.BytesIO(buffer.getvalue()), "p.zip"),
            "unit_id": unit,
            "descriptor": "knowledge",
            "language": "ru",
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "a.xml" in html and "b.xml" in html
    assert count(app) == 0
