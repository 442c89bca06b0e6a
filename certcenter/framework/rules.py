"""Pathway rules: a small condition language stored in the framework data, and its evaluator.

A condition is a mapping with exactly one key:
  all: [conditions]            every sub-condition holds
  any: [conditions]            at least one holds
  education: [codes]           an education record of one of these codes
  education_at_least: code     a formal education ranked at least as high as code
  experience_years: N          at least N years of documented practical experience
  practical_experience: true   some documented practical experience (the text gives no duration)
  manual: {code, text}         a condition only a person can judge

Evaluation is three-valued: True (met), False (not met) or None (needs a person's judgement).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from certcenter.framework.vocabulary import EDUCATION_LEVELS

# A year of experience is 365 days: three calendar years (1,095 or 1,096 days) always count as three years.
DAYS_PER_YEAR = 365


class RuleError(ValueError):
    pass


@dataclass(frozen=True)
class Facts:
    """What is known about a candidate, reduced to what rules look at."""

    education: frozenset[str] = frozenset()
    experience_days: int = 0

    def highest_rank(self) -> int:
        ranks = [EDUCATION_LEVELS[code].rank for code in self.education if EDUCATION_LEVELS[code].rank]
        return max(ranks, default=0)


@dataclass
class Outcome:
    met: bool | None
    # Leaf conditions that are not met (or need a person), each as the condition mapping itself.
    shortfalls: list[dict[str, Any]] = field(default_factory=list)


def validate(rule: Any, where: str = "rule") -> None:
    if not isinstance(rule, dict) or len(rule) != 1:
        raise RuleError(f"{where}: a condition is a mapping with exactly one key, got {rule!r}")
    ((key, value),) = rule.items()
    if key in ("all", "any"):
        if not isinstance(value, list) or not value:
            raise RuleError(f"{where}.{key}: needs a non-empty list")
        for index, sub in enumerate(value):
            validate(sub, f"{where}.{key}[{index}]")
    elif key == "education":
        if not isinstance(value, list) or not value or any(code not in EDUCATION_LEVELS for code in value):
            raise RuleError(f"{where}.education: unknown code in {value!r}")
    elif key == "education_at_least":
        if value not in EDUCATION_LEVELS or EDUCATION_LEVELS[value].rank is None:
            raise RuleError(f"{where}.education_at_least: {value!r} is not a ranked education level")
    elif key == "experience_years":
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise RuleError(f"{where}.experience_years: needs a positive number")
    elif key == "practical_experience":
        if value is not True:
            raise RuleError(f"{where}.practical_experience: must be true")
    elif key == "manual":
        if not isinstance(value, dict) or not value.get("code") or not isinstance(value.get("text"), dict):
            raise RuleError(f"{where}.manual: needs a code and a text")
    else:
        raise RuleError(f"{where}: unknown condition {key!r}")


def evaluate(rule: dict[str, Any], facts: Facts) -> Outcome:
    ((key, value),) = rule.items()
    if key in ("all", "any"):
        outcomes = [evaluate(sub, facts) for sub in value]
        results = [outcome.met for outcome in outcomes]
        if key == "all":
            met = False if False in results else (None if None in results else True)
        else:
            met = True if True in results else (None if None in results else False)
        if met:
            return Outcome(True)
        return Outcome(met, [short for outcome in outcomes if not outcome.met for short in outcome.shortfalls])
    if key == "education":
        met = bool(facts.education & set(value))
    elif key == "education_at_least":
        met = facts.highest_rank() >= EDUCATION_LEVELS[value].rank
    elif key == "experience_years":
        met = facts.experience_days >= value * DAYS_PER_YEAR
    elif key == "practical_experience":
        met = facts.experience_days > 0
    else:  # manual
        return Outcome(None, [rule])
    return Outcome(True) if met else Outcome(False, [rule])
