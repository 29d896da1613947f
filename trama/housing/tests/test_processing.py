"""S14 for the housing plan: every field of a model holding personal data is annotated with its
category, purpose and retention, so the register of processing lists it."""

from __future__ import annotations

import pytest
from django.apps import apps
from simple_history.models import HistoricalChanges

from trama.core.processing import unannotated_fields

# Models without personal data: the fund and its deposits are the programme's money; a building is
# an address of a block of flats; a caretaker is a staff assignment (accounts keep users' data).
WITHOUT_PERSONAL_DATA = {"GuaranteeFund", "FundDeposit", "Building", "Caretaker"}


def _models() -> list[type]:
    return [
        model
        for model in apps.get_app_config("housing").get_models()
        if not issubclass(model, HistoricalChanges) and model.__name__ not in WITHOUT_PERSONAL_DATA
    ]


def test_it_checks_the_models_that_hold_personal_data():
    names = {model.__name__ for model in _models()}
    assert {"Dwelling", "HousingSearch", "Tenancy", "Guarantee", "GuaranteeDraw", "CoHousing", "LogEntry"} <= names


@pytest.mark.parametrize("model", _models(), ids=lambda model: model._meta.label)
def test_it_annotates_every_field(model):
    assert hasattr(model, "PERSONAL_DATA"), f"{model._meta.label} does not declare PERSONAL_DATA"
    assert unannotated_fields(model) == []
    assert set(model.PERSONAL_DATA) <= {field.name for field in model._meta.concrete_fields}
