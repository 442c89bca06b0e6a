"""The Kazakh individual identification number (ЖСН / ИИН): 12 digits.

Digits 1-6: date of birth (YYMMDD). Digit 7: century and sex (1/2: 19th century, 3/4: 20th, 5/6: 21st; odd is
male). Digits 8-11: serial. Digit 12: check digit, the weighted sum of digits 1-11 with weights 1..11 mod 11; if that
gives 10, the weights 3..11,1,2 mod 11; if that still gives 10, no valid IIN has these first 11 digits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

FIRST_WEIGHTS = tuple(range(1, 12))
SECOND_WEIGHTS = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
CENTURIES = {1: 1800, 2: 1800, 3: 1900, 4: 1900, 5: 2000, 6: 2000}

# Each reason an IIN is refused has its own message.
NOT_TWELVE_DIGITS = "not_twelve_digits"
BAD_DATE = "bad_date"
BAD_CENTURY = "bad_century"
NO_CHECK_DIGIT = "no_check_digit"
CHECK_DIGIT_MISMATCH = "check_digit_mismatch"

MESSAGES = {
    NOT_TWELVE_DIGITS: _l("The IIN must be exactly 12 digits."),
    BAD_DATE: _l("Digits 1–6 of the IIN must be a real date of birth (YYMMDD)."),
    BAD_CENTURY: _l("Digit 7 of the IIN (century and sex) must be from 1 to 6."),
    NO_CHECK_DIGIT: _l("No valid IIN begins with these 11 digits; check them against your ID card."),
    CHECK_DIGIT_MISMATCH: _l("The last digit of the IIN does not match the others; check for a typing error."),
}


class InvalidIIN(ValueError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    @property
    def message(self):
        return MESSAGES[self.reason]


@dataclass(frozen=True)
class IIN:
    number: str
    birth_date: date
    male: bool


def check_digit(first_eleven: str) -> int | None:
    """The check digit for the first 11 digits, or None when both weightings give 10."""
    digits = [int(char) for char in first_eleven]
    for weights in (FIRST_WEIGHTS, SECOND_WEIGHTS):
        remainder = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
        if remainder != 10:
            return remainder
    return None


def parse_iin(value: str) -> IIN:
    """Validate an IIN (spaces allowed between digit groups) and read the date of birth and sex from it."""
    number = "".join(value.split()) if isinstance(value, str) else ""
    if len(number) != 12 or not number.isascii() or not number.isdigit():
        raise InvalidIIN(NOT_TWELVE_DIGITS)
    try:
        date(2000, int(number[2:4]), int(number[4:6]))  # month and day, in a leap year
    except ValueError:
        raise InvalidIIN(BAD_DATE) from None
    century_digit = int(number[6])
    if century_digit not in CENTURIES:
        raise InvalidIIN(BAD_CENTURY)
    try:
        birth_date = date(CENTURIES[century_digit] + int(number[0:2]), int(number[2:4]), int(number[4:6]))
    except ValueError:
        raise InvalidIIN(BAD_DATE) from None  # 29 February of a year that had none
    expected = check_digit(number[:11])
    if expected is None:
        raise InvalidIIN(NO_CHECK_DIGIT)
    if expected != int(number[11]):
        raise InvalidIIN(CHECK_DIGIT_MISMATCH)
    return IIN(number=number, birth_date=birth_date, male=century_digit % 2 == 1)


def mask_iin(number: str) -> str:
    return "•" * 8 + number[-4:] if number else ""
