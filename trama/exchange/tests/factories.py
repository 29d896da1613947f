"""Valid people for import files: codici fiscali that pass python-stdnum and match the date of
birth and gender (also used by bench/imports.py)."""

from __future__ import annotations

import string
from datetime import date

from stdnum.it import codicefiscale

MONTHS = "ABCDEHLMPRST"


def letters(number: int, size: int = 6) -> str:
    """A distinct run of capital letters for each number (26**6 of them)."""
    out = []
    for _ in range(size):
        number, digit = divmod(number, 26)
        out.append(string.ascii_uppercase[digit])
    return "".join(out)


def tax_code_for(number: int, birth_date: date, gender: str, place: str = "G388") -> str:
    day = birth_date.day + (40 if gender == "F" else 0)
    body = f"{letters(number)}{birth_date.year % 100:02d}{MONTHS[birth_date.month - 1]}{day:02d}{place}"
    return body + codicefiscale.calc_check_digit(body)
