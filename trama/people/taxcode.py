"""The codice fiscale of a person: valid (python-stdnum) and consistent with what we know.

A personal codice fiscale encodes the date of birth and the sex (day of birth + 40 for women);
omocodia replaces digits with letters (LMNPQRSTUV) when two people would get the same code,
and stdnum's checks and `get_birth_date` understand it. An 11-digit code is a provisional code
(codice fiscale provvisorio, given e.g. to people waiting for their documents): it has a check
digit but encodes nothing about the person, so only the check digit is verified.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.it import codicefiscale

PERSONAL_LENGTH = 16
# Omocodia: the digits of the date part may be replaced by these letters, in this order.
_DIGITS = {**{str(n): n for n in range(10)}, **{letter: n for n, letter in enumerate("LMNPQRSTUV")}}


def normalise(value: str) -> str:
    return codicefiscale.compact(value or "")


def validate(value: str) -> str:
    """The normalised code, or a ValidationError that says what is wrong with it."""
    code = normalise(value)
    try:
        return codicefiscale.validate(code)
    except InvalidChecksum:
        raise ValidationError(
            _("The check character of this codice fiscale is wrong: check it for typing errors."), code="checksum"
        ) from None
    except (InvalidLength, InvalidFormat, InvalidComponent):
        raise ValidationError(
            _("A codice fiscale has 16 letters and digits (or 11 digits for a provisional code)."), code="format"
        ) from None
    except StdnumError:
        raise ValidationError(_("This codice fiscale is not valid."), code="invalid") from None


def _encoded_day(code: str) -> int:
    return _DIGITS[code[9]] * 10 + _DIGITS[code[10]]


def inconsistencies(code: str, *, birth_date: date | None, gender: str) -> list[ValidationError]:
    """What in a valid `code` contradicts the date of birth and the gender given with it."""
    if len(code) != PERSONAL_LENGTH:
        return []
    errors = []
    if birth_date is not None:
        # Only two digits of the year are encoded: compare them, not stdnum's guess of the century.
        encoded = codicefiscale.get_birth_date(code)
        if (encoded.day, encoded.month, encoded.year % 100) != (
            birth_date.day,
            birth_date.month,
            birth_date.year % 100,
        ):
            errors.append(
                ValidationError(_("This codice fiscale does not match the date of birth."), code="birth_date")
            )
    if gender in ("F", "M"):
        encoded_gender = "F" if _encoded_day(code) > 40 else "M"
        if encoded_gender != gender:
            errors.append(ValidationError(_("This codice fiscale does not match the gender."), code="gender"))
    return errors
