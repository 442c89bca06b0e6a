"""Controlled vocabularies the framework's pathway rules refer to."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

DESCRIPTOR_KINDS = ("competence", "skills", "knowledge")

DESCRIPTOR_LABELS = {
    "competence": _l("Personal and professional competencies"),
    "skills": _l("Abilities and skills"),
    "knowledge": _l("Knowledge"),
}


@dataclass(frozen=True)
class EducationLevel:
    code: str
    label: object  # a lazy string, translated when shown
    rank: int | None  # formal education is ranked; courses and workplace training are not


EDUCATION_LEVELS: dict[str, EducationLevel] = {
    level.code: level
    for level in (
        EducationLevel("primary", _l("Primary education"), 1),
        EducationLevel("basic_secondary", _l("Basic secondary education"), 2),
        EducationLevel("general_secondary", _l("General secondary education"), 3),
        EducationLevel("technical_vocational", _l("Technical and vocational education"), 4),
        EducationLevel("post_secondary", _l("Post-secondary education"), 5),
        EducationLevel("higher", _l("Higher education (bachelor's degree)"), 6),
        EducationLevel("specialist", _l("Higher education (specialist diploma)"), 6),
        EducationLevel("residency", _l("Residency"), 7),
        EducationLevel("master", _l("Master's degree"), 7),
        EducationLevel("doctorate", _l("Doctorate (PhD or profile doctor)"), 8),
        EducationLevel("candidate_of_sciences", _l("Candidate of sciences"), 8),
        EducationLevel("doctor_of_sciences", _l("Doctor of sciences"), 8),
        EducationLevel("short_courses", _l("Short courses"), None),
        EducationLevel("on_the_job_training", _l("On-the-job training (instruction)"), None),
        EducationLevel(
            "professional_training", _l("Vocational training (courses up to one year or at an enterprise)"), None
        ),
        EducationLevel("additional_professional_education", _l("Additional professional education"), None),
    )
}
