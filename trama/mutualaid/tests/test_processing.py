"""S14 for volunteering and mutual aid: every field of a model holding personal data is annotated
with its category, purpose and retention, so the register of processing lists it."""

from __future__ import annotations

import pytest
from django.apps import apps
from simple_history.models import HistoricalChanges

from trama.core.processing import unannotated_fields

# Models of this app without personal data: a shift is places at an activity's date; a micro-network
# is a name and a place (its members are annotated).
WITHOUT_PERSONAL_DATA = {"VolunteerShift", "MicroNetwork"}


def _models() -> list[type]:
    return [
        model
        for model in apps.get_app_config("mutualaid").get_models()
        if not issubclass(model, HistoricalChanges) and model.__name__ not in WITHOUT_PERSONAL_DATA
    ]


def test_it_checks_the_models_that_hold_personal_data():
    names = {model.__name__ for model in _models()}
    assert {"Volunteer", "MutualAidRequest", "MutualAidOffer", "Match", "LedgerEntry", "GroupMember"} <= names


@pytest.mark.parametrize("model", _models(), ids=lambda model: model._meta.label)
def test_it_annotates_every_field(model):
    assert hasattr(model, "PERSONAL_DATA"), model._meta.label
    assert unannotated_fields(model) == []
    assert set(model.PERSONAL_DATA) <= {field.name for field in model._meta.concrete_fields}
