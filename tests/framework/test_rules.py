import pytest

from certcenter.framework.rules import Facts, RuleError, evaluate, validate


def facts(*education, years=0.0):
    return Facts(education=frozenset(education), experience_days=round(years * 365))


LEVEL4 = {"all": [{"education_at_least": "technical_vocational"}, {"experience_years": 3}]}


def test_experience_years_threshold():
    assert evaluate(LEVEL4, facts("technical_vocational", years=3)).met is True
    outcome = evaluate(LEVEL4, facts("technical_vocational", years=1.3))
    assert outcome.met is False
    assert outcome.shortfalls == [{"experience_years": 3}]


def test_rank_comparison_counts_higher_education():
    assert evaluate({"education_at_least": "general_secondary"}, facts("master")).met is True
    assert evaluate({"education_at_least": "higher"}, facts("general_secondary", "short_courses")).met is False
    # unranked courses never satisfy a rank
    assert evaluate({"education_at_least": "primary"}, facts("short_courses")).met is False


def test_any_reports_every_missing_branch():
    rule = {"any": [{"education": ["short_courses"]}, {"practical_experience": True}]}
    outcome = evaluate(rule, facts())
    assert outcome.met is False
    assert outcome.shortfalls == [{"education": ["short_courses"]}, {"practical_experience": True}]
    assert evaluate(rule, facts(years=0.1)).met is True


def test_manual_condition_needs_a_person():
    manual = {"manual": {"code": "professional_recognition", "text": {"en": "recognition"}}}
    rule = {"all": [{"education": ["master"]}, manual]}
    assert evaluate(rule, facts("master")).met is None
    assert evaluate(rule, facts("higher")).met is False  # a definite failure outweighs "needs review"


@pytest.mark.parametrize(
    "rule",
    [
        {},
        {"education": ["astronaut"]},
        {"education_at_least": "short_courses"},
        {"experience_years": 0},
        {"experience_years": True},
        {"all": []},
        {"all": [{"education": ["master"]}], "any": []},
        {"practical_experience": "yes"},
        {"telepathy": True},
    ],
)
def test_validate_rejects_malformed_rules(rule):
    with pytest.raises(RuleError):
        validate(rule)
