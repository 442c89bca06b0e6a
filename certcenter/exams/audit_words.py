"""The examinations' entries in the audit log, in words (see ``core.audit_catalogue``)."""

from flask_babel import lazy_gettext as _l

from certcenter.exams.models import KINDS, MODES

WORDS = {
    "actions": {
        "exams.question_create": _l("Exam question written"),
        "exams.question_import": _l("Exam question imported"),
        "exams.question_edit": _l("Exam question edited"),
        "exams.question_approve": _l("Exam question approved"),
        "exams.question_retire": _l("Exam question retired"),
        "exams.blueprint_save": _l("Test specification saved"),
        "exams.sitting_schedule": _l("Exam sitting scheduled"),
        "exams.sitting_open": _l("Exam sitting opened"),
        "exams.sitting_close": _l("Exam sitting closed"),
        "exams.sitting_cancel": _l("Exam sitting cancelled"),
        "exams.sitting_mark": _l("Exam sitting marked"),
        "exams.book": _l("Place at an exam sitting booked"),
        "exams.booking_cancel": _l("Booking at an exam sitting cancelled"),
        "exams.admit": _l("Candidate admitted to the exam"),
        "exams.attempt_start": _l("Exam started"),
        "exams.attempt_submit": _l("Exam handed in"),
        "exams.add_time": _l("Extra time given in an exam"),
        "exams.attempt_void": _l("Exam attempt voided"),
        "exams.attempt_mark": _l("Exam attempt marked"),
        "exams.answer_review": _l("Answer to an open question reviewed"),
        "exams.result_not_recorded": _l("Exam result not recorded: the application had moved on"),
    },
    "fields": {
        "accepted": _l("Accepted"),
        "attempts": _l("Attempts"),
        "by": _l("By"),
        "by_code": _l("With the admission code"),
        "capacity": _l("Places"),
        "code": _l("Code"),
        "marked": _l("Marked"),
        "minutes": _l("Minutes"),
        "mode": _l("Mode"),
        "passed": _l("Passed"),
        "position": _l("Question number"),
        "proctor_id": _l("Proctor"),
        "sitting_id": _l("Sitting"),
        "starts_at": _l("Starts"),
        "state": _l("State"),
        "version": _l("Version"),
    },
    "values": {"kind": KINDS, "mode": MODES},
    "targets": {
        "Question": _l("Exam question"),
        "Blueprint": _l("Test specification"),
        "Sitting": _l("Exam sitting"),
        "Booking": _l("Exam booking"),
        "Attempt": _l("Exam attempt"),
    },
}
