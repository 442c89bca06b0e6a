"""The IIN validator: each reason its own message; properties over generated numbers (hypothesis)."""

from datetime import date

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from certcenter.candidates.iin import (
    BAD_CENTURY,
    BAD_DATE,
    CHECK_DIGIT_MISMATCH,
    NO_CHECK_DIGIT,
    NOT_TWELVE_DIGITS,
    InvalidIIN,
    check_digit,
    parse_iin,
)
from tests.samples import make_iin

births = st.dates(min_value=date(1800, 1, 1), max_value=date(2099, 12, 31))


def reason(value):
    with pytest.raises(InvalidIIN) as caught:
        parse_iin(value)
    return caught.value.reason


def test_a_known_valid_number():
    iin = parse_iin("900515300127")
    assert iin.birth_date == date(1990, 5, 15) and iin.male


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", NOT_TWELVE_DIGITS),
        ("90051530012", NOT_TWELVE_DIGITS),
        ("9005153001270", NOT_TWELVE_DIGITS),
        ("90051530012a", NOT_TWELVE_DIGITS),
        ("９００５１５３００１２７", NOT_TWELVE_DIGITS),  # full-width digits are not ASCII digits
        ("901315300127", BAD_DATE),  # month 13
        ("900532300127", BAD_DATE),  # 32nd day
        ("010229500000", BAD_DATE),  # 29 February 2001
        ("900515700127", BAD_CENTURY),
        ("900515000127", BAD_CENTURY),
        ("900515300128", CHECK_DIGIT_MISMATCH),
    ],
)
def test_each_reason_is_told_apart(value, expected):
    assert reason(value) == expected


def test_eleven_digits_without_any_check_digit_are_refused():
    # search for a prefix where both weightings give 10
    prefix = next(
        f"900515{century}{serial:04d}"
        for century in (3, 4)
        for serial in range(10000)
        if check_digit(f"900515{century}{serial:04d}") is None
    )
    assert reason(prefix + "0") == NO_CHECK_DIGIT


def test_spaces_between_groups_are_accepted():
    assert parse_iin("900515 300127").number == "900515300127"


@given(births, st.booleans(), st.integers(0, 9999))
def test_every_generated_iin_is_valid_and_gives_back_its_birth_date(birth, male, serial):
    iin = parse_iin(make_iin(birth, male, serial))
    assert iin.birth_date == birth
    assert iin.male is male


@given(births, st.integers(0, 9999), st.integers(1, 9))
def test_a_changed_check_digit_is_always_refused(birth, serial, delta):
    number = make_iin(birth, serial=serial)
    wrong = number[:11] + str((int(number[11]) + delta) % 10)
    assert reason(wrong) == CHECK_DIGIT_MISMATCH


def first_sum(number: str) -> int:
    return sum(int(d) * w for d, w in zip(number[:11], range(1, 12), strict=True)) % 11


@given(births, st.integers(0, 9999), st.integers(0, 9), st.integers(1, 9))
def test_a_typo_in_the_serial_or_date_is_caught(birth, serial, position, delta):
    """Digits 1-10 carry weights 1-10 mod 11 (11 is prime), so one changed digit always changes the first
    weighted sum: where neither number falls back to the second weighting, the check digit catches the typo."""
    number = make_iin(birth, serial=serial)
    digits = list(number)
    digits[position] = str((int(digits[position]) + delta) % 10)
    typo = "".join(digits)
    assume(first_sum(number) != 10 and first_sum(typo) != 10)
    with pytest.raises(InvalidIIN):
        parse_iin(typo)


@given(st.text(max_size=20))
def test_any_text_is_either_valid_or_refused_with_a_known_reason(text):
    try:
        parse_iin(text)
    except InvalidIIN as error:
        assert error.reason in {NOT_TWELVE_DIGITS, BAD_DATE, BAD_CENTURY, NO_CHECK_DIGIT, CHECK_DIGIT_MISMATCH}
        assert str(error.message)
