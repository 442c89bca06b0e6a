"""Item analysis: pure statistics over marked answers, so that the figures can be checked by hand.

- difficulty: the proportion of the points obtained (for questions of one point, the proportion correct);
- discrimination: the point-biserial correlation of the question's score with the rest of the test (the total
  without this question, so that a question does not correlate with itself);
- option frequencies: how often each option was chosen, and how often no answer was given;
- per form (the slots of a sitting's specification, which every candidate's form has): Cronbach's alpha (KR-20 when
  every question is worth one point), with population variances throughout, and the standard error of measurement
  SD × √(1 − α) in points.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any

NEGATIVE_DISCRIMINATION, NOBODY_RIGHT, EVERYBODY_RIGHT = "negative_discrimination", "nobody_right", "everybody_right"


@dataclass(frozen=True)
class Observation:
    """One marked answer: to which attempt, slot and question version, its score out of its points."""

    attempt_id: int
    slot: int
    item: Hashable  # what the statistics are grouped by: a question version
    score: float
    points: int
    response: Any = None
    options: tuple[str, ...] = ()  # the option ids of a choice question


@dataclass
class ItemStatistics:
    item: Hashable
    answers: int
    difficulty: float
    discrimination: float | None
    option_counts: dict[str, int] = field(default_factory=dict)
    unanswered: int = 0
    flags: list[str] = field(default_factory=list)


@dataclass
class FormStatistics:
    attempts: int
    slots: int
    mean: float
    sd: float
    alpha: float | None
    sem: float | None


def mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def variance(values: list[float]) -> float:
    """Population variance."""
    if not values:
        return 0.0
    centre = mean(values)
    return sum((value - centre) ** 2 for value in values) / len(values)


def pearson(xs: list[float], ys: list[float]) -> float | None:
    if len(xs) < 2:
        return None
    vx, vy = variance(xs), variance(ys)
    if vx == 0 or vy == 0:
        return None
    mx, my = mean(xs), mean(ys)
    covariance = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / len(xs)
    return covariance / math.sqrt(vx * vy)


def totals(observations: Iterable[Observation]) -> dict[int, float]:
    result: dict[int, float] = defaultdict(float)
    for observation in observations:
        result[observation.attempt_id] += observation.score
    return result


def item_statistics(observations: list[Observation]) -> list[ItemStatistics]:
    """Per item, in the order of first appearance."""
    total = totals(observations)
    grouped: dict[Hashable, list[Observation]] = {}
    for observation in observations:
        grouped.setdefault(observation.item, []).append(observation)
    results = []
    for item, group in grouped.items():
        scores = [o.score / o.points for o in group]
        rests = [total[o.attempt_id] - o.score for o in group]
        difficulty = mean(scores)
        discrimination = pearson(scores, rests)
        counts: dict[str, int] = {option: 0 for option in group[0].options}
        unanswered = 0
        for o in group:
            if o.response in (None, "", [], {}):
                unanswered += 1
            elif counts:  # a choice question: which options were chosen
                for option in o.response if isinstance(o.response, list) else [o.response]:
                    if option in counts:
                        counts[option] += 1
        flags = []
        if discrimination is not None and discrimination < 0:
            flags.append(NEGATIVE_DISCRIMINATION)
        if difficulty == 0:
            flags.append(NOBODY_RIGHT)
        if difficulty == 1:
            flags.append(EVERYBODY_RIGHT)
        results.append(ItemStatistics(item, len(group), difficulty, discrimination, counts, unanswered, flags))
    return results


def form_statistics(observations: list[Observation]) -> FormStatistics | None:
    """Reliability over the slots every attempt has (attempts missing a slot are left out)."""
    by_attempt: dict[int, dict[int, float]] = defaultdict(dict)
    for observation in observations:
        by_attempt[observation.attempt_id][observation.slot] = observation.score
    if not by_attempt:
        return None
    slots = sorted(set.intersection(*(set(scores) for scores in by_attempt.values())))
    complete = [scores for scores in by_attempt.values() if all(slot in scores for slot in slots)]
    sums = [sum(scores[slot] for slot in slots) for scores in complete]
    sd = math.sqrt(variance(sums))
    alpha = sem = None
    total_variance = variance(sums)
    if len(slots) >= 2 and len(complete) >= 2 and total_variance > 0:
        k = len(slots)
        item_variance = sum(variance([scores[slot] for scores in complete]) for slot in slots)
        alpha = k / (k - 1) * (1 - item_variance / total_variance)
        sem = sd * math.sqrt(1 - alpha) if alpha <= 1 else 0.0
    return FormStatistics(len(complete), len(slots), mean(sums), sd, alpha, sem)
