"""Item analysis against figures worked out by hand.

Five candidates, four questions of one point each (every form has the same four slots):

    candidate   q1 q2 q3 q4   total
    1            1  1  1  1     4
    2            1  1  1  0     3
    3            1  1  0  0     2
    4            1  0  0  1     2
    5            1  0  0  0     1

Difficulty: q1 5/5 = 1.0 (everybody right), q2 3/5 = 0.6, q3 2/5 = 0.4, q4 2/5 = 0.4.
Item variances p(1-p): 0, .24, .24, .24; sum .72. Totals 4,3,2,2,1: mean 2.4, population variance
(2.56 + .36 + .16 + .16 + 1.96)/5 = 1.04. KR-20 = 4/3 × (1 − .72/1.04) = 4/3 × .32/1.04 = 0.410256…
SD = √1.04 = 1.019804; SEM = SD × √(1 − α) = 1.019804 × √0.589744 = 0.783156….
Point-biserial of q2 with the rest (total − q2): q2 = 1,1,1,0,0; rest = 3,2,1,2,1.
mean q2 .6, mean rest 1.8; cov = (1·3 + 1·2 + 1·1 + 0 + 0)/5 − .6·1.8 = 1.2 − 1.08 = .12;
var q2 = .24, var rest = (1.44+.04+.64+.04+.64)/5 = .56; r = .12/√(.24·.56) = .12/.366606 = 0.327327.
q4 = 1,0,0,1,0 with rest 3,3,2,1,1: cov = (3 + 1)/5 − .4·2 = .8 − .8 = 0 → r = 0.
q3 = 1,1,0,0,0 with rest 3,2,2,2,1: cov = (3+2)/5 − .4·2 = .2; var rest = (1+0+0+0+1)/5 = .4;
r = .2/√(.24·.4) = .2/.309839 = 0.645497. q1 has no variance: no discrimination.
"""

import pytest

from certcenter.exams.analysis import Observation, form_statistics, item_statistics

SCORES = [[1, 1, 1, 1], [1, 1, 1, 0], [1, 1, 0, 0], [1, 0, 0, 1], [1, 0, 0, 0]]


def observations():
    return [
        Observation(attempt, slot, f"q{slot}", float(score), 1, "A" if score else "B", ("A", "B"))
        for attempt, scores in enumerate(SCORES, start=1)
        for slot, score in enumerate(scores, start=1)
    ]


def test_difficulty_discrimination_options_and_flags():
    stats = {s.item: s for s in item_statistics(observations())}
    assert [stats[f"q{n}"].difficulty for n in (1, 2, 3, 4)] == [1.0, 0.6, 0.4, 0.4]
    assert stats["q1"].discrimination is None
    assert stats["q2"].discrimination == pytest.approx(0.327327, abs=1e-6)
    assert stats["q3"].discrimination == pytest.approx(0.645497, abs=1e-6)
    assert stats["q4"].discrimination == pytest.approx(0.0, abs=1e-12)
    assert stats["q2"].option_counts == {"A": 3, "B": 2}
    assert stats["q1"].flags == ["everybody_right"]
    assert stats["q2"].flags == []


def test_a_question_that_the_weaker_candidates_get_right_is_flagged():
    flipped = [
        Observation(o.attempt_id, o.slot, o.item, 1.0 - o.score if o.item == "q3" else o.score, 1)
        for o in observations()
    ]
    stats = {s.item: s for s in item_statistics(flipped)}
    assert stats["q3"].discrimination < 0 and "negative_discrimination" in stats["q3"].flags
    nobody = [Observation(o.attempt_id, o.slot, o.item, 0.0 if o.item == "q2" else o.score, 1) for o in observations()]
    assert "nobody_right" in {s.item: s for s in item_statistics(nobody)}["q2"].flags


def test_kr20_and_the_standard_error_of_measurement():
    form = form_statistics(observations())
    assert (form.attempts, form.slots) == (5, 4)
    assert form.mean == pytest.approx(2.4)
    assert form.sd == pytest.approx(1.019804, abs=1e-6)
    assert form.alpha == pytest.approx(0.410256, abs=1e-6)
    assert form.sem == pytest.approx(0.783156, abs=1e-6)


def test_answers_to_questions_without_options_are_counted_as_given_or_not():
    answers = [Observation(1, 1, "m", 1.0, 1, {"L1": "R1"}), Observation(2, 1, "m", 0.0, 1, None)]
    (stats,) = item_statistics(answers)
    assert (stats.option_counts, stats.unanswered, stats.difficulty) == ({}, 1, 0.5)
