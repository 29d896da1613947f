"""The codice fiscale: valid (python-stdnum), consistent with the date of birth and the gender."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from trama.people import taxcode
from trama.people.forms import PersonForm
from trama.territory.models import Municipality

# Maria Rossi, born in Pavia (G388) on 14 March 1985: women's day of birth is coded + 40.
WOMAN = "RSSMRA85C54G388L"
WOMAN_OMOCODE = "RSSMRA85C5QG388I"  # the same code after omocodia (4 → Q)
MAN = "RSSMRA85C14G388H"
WRONG_CHECK = "RSSMRA85C54G388A"
BORN = date(1985, 3, 14)


def test_it_accepts_a_valid_code_and_normalises_it():
    assert taxcode.validate(" rssmra85c54g388l ") == WOMAN
    assert taxcode.validate(WOMAN_OMOCODE) == WOMAN_OMOCODE


def test_it_refuses_a_wrong_check_character():
    with pytest.raises(ValidationError) as error:
        taxcode.validate(WRONG_CHECK)
    assert error.value.code == "checksum"


def test_it_refuses_a_code_of_the_wrong_shape():
    with pytest.raises(ValidationError) as error:
        taxcode.validate("RSSMRA85")
    assert error.value.code == "format"


def test_it_finds_a_code_consistent_with_birth_date_and_gender():
    assert taxcode.inconsistencies(WOMAN, birth_date=BORN, gender="F") == []
    assert taxcode.inconsistencies(WOMAN_OMOCODE, birth_date=BORN, gender="F") == []
    assert taxcode.inconsistencies(MAN, birth_date=BORN, gender="M") == []
    assert taxcode.inconsistencies(WOMAN, birth_date=None, gender="X") == []


def test_it_finds_a_code_inconsistent_with_the_birth_date():
    errors = taxcode.inconsistencies(WOMAN, birth_date=date(1985, 3, 15), gender="F")
    assert [error.code for error in errors] == ["birth_date"]


def test_it_finds_a_code_inconsistent_with_the_gender():
    assert [error.code for error in taxcode.inconsistencies(WOMAN, birth_date=BORN, gender="M")] == ["gender"]
    assert [error.code for error in taxcode.inconsistencies(WOMAN_OMOCODE, birth_date=BORN, gender="M")] == ["gender"]


def _form(**data: object) -> PersonForm:
    values = {"first_name": "Maria", "last_name": "Rossi", "birth_date": "1985-03-14", "gender": "F", **data}
    return PersonForm(values, municipalities=Municipality.objects.filter(istat_code="018110"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({"tax_code": WRONG_CHECK}, "checksum"),
        ({"tax_code": WOMAN, "birth_date": "1985-04-14"}, "birth_date"),
        ({"tax_code": WOMAN, "gender": "M"}, "gender"),
    ],
)
def test_it_shows_each_problem_next_to_the_codice_fiscale(data, code):
    form = _form(**data)
    assert not form.is_valid()
    assert [error.code for error in form.errors.as_data()["tax_code"]] == [code]


@pytest.mark.django_db
def test_it_refuses_a_birth_date_in_the_future():
    tomorrow = timezone.localdate() + timedelta(days=1)
    form = _form(birth_date=tomorrow.isoformat())
    assert not form.is_valid()
    assert [error.code for error in form.errors.as_data()["birth_date"]] == ["future"]


@pytest.mark.django_db
def test_it_accepts_a_consistent_person():
    form = _form(tax_code=WOMAN.lower())
    assert form.is_valid(), form.errors
    assert form.cleaned_data["tax_code"] == WOMAN
