"""Drawing a candidate's form from the test specification: a pure function of the specification, the pool of
approved questions and a seed, so that the same seed over the same pool gives the same form (the seed and the drawn
form are both recorded on the attempt)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from certcenter.core.errors import UserError
from certcenter.exams.models import CHOICE_KINDS, MATCHING


class DrawingError(UserError):
    """The bank cannot fill the specification."""


@dataclass(frozen=True)
class PoolQuestion:
    question_id: int
    version_id: int
    unit_id: int
    descriptor: str
    kind: str
    points: int
    options: list | dict


@dataclass(frozen=True)
class DrawnItem:
    position: int  # the order the candidate sees
    slot: int  # the line of the specification and the place in it: the same for every form of a sitting
    question: PoolQuestion
    option_order: list | dict


def shortfalls(rows: list[dict[str, Any]], pool: list[PoolQuestion]) -> list[dict[str, Any]]:
    """The specification's lines the pool cannot fill, with how many questions they need and have."""
    missing = []
    for row in rows:
        available = sum(1 for q in pool if q.unit_id == int(row["unit_id"]) and q.descriptor == row["descriptor"])
        if available < int(row["count"]):
            missing.append({**row, "available": available})
    return missing


def draw_form(
    rows: list[dict[str, Any]],
    pool: list[PoolQuestion],
    seed: int,
    *,
    shuffle_questions: bool = True,
    shuffle_options: bool = True,
) -> list[DrawnItem]:
    """For each line of the specification, ``count`` questions of its unit and descriptor drawn without
    replacement; slots are numbered line by line with the drawn questions in the order of their ids (so that,
    where a line's pool is no larger than its count, a slot is the same question on every form: the item analysis
    of a sitting works on slots). Then the order shown and each question's options are shuffled, if so specified."""
    if shortfalls(rows, pool):
        raise DrawingError(_l("The question bank does not have enough approved questions for the test specification."))
    rng = random.Random(seed)
    ordered_pool = sorted(pool, key=lambda q: q.question_id)
    chosen: list[PoolQuestion] = []
    for row in rows:
        candidates = [q for q in ordered_pool if q.unit_id == int(row["unit_id"]) and q.descriptor == row["descriptor"]]
        chosen += sorted(rng.sample(candidates, int(row["count"])), key=lambda q: q.question_id)
    order = list(range(len(chosen)))
    if shuffle_questions:
        rng.shuffle(order)
    items = []
    for position, slot in enumerate(order, start=1):
        question = chosen[slot]
        items.append(DrawnItem(position, slot + 1, question, _option_order(question, rng, shuffle_options)))
    return items


def _option_order(question: PoolQuestion, rng: random.Random, shuffle: bool) -> list | dict:
    if question.kind in CHOICE_KINDS:
        ids = [option["id"] for option in question.options]
        if shuffle and question.kind != "true_false":
            rng.shuffle(ids)
        return ids
    if question.kind == MATCHING:
        left = [option["id"] for option in question.options["left"]]
        right = [option["id"] for option in question.options["right"]]
        rng.shuffle(right)  # the right column is always mixed, or the answer would be given away
        if shuffle:
            rng.shuffle(left)
        return {"left": left, "right": right}
    return []
