"""S14: every personal-data field of the case record is in the register of processing.

A new column on a model of `people` or `casework` fails this test until it is annotated with its
category, purpose and retention in the model's PERSONAL_DATA, so it cannot escape the register.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.utils import translation
from simple_history.models import HistoricalChanges

from trama.core.processing import RETENTION, register, unannotated_fields

APPS = ("people", "casework")
# Models of other apps that hold personal data: who registered for and attended what.
MORE_MODELS = (
    "activities.Registration", "activities.Attendance",
    "pacts.Pact", "pacts.PactVersion", "pacts.Signatory", "pacts.BudgetLine", "pacts.Disbursement",
    "pacts.Commitment", "pacts.ContributionLog", "pacts.Review", "pacts.ReviewItem",
    "funding.Donor", "funding.Donation", "governance.BodyMember", "governance.MeetingAttendance",
    "training.Trainer", "training.Participant", "training.Certificate",
    "mutualaid.Volunteer", "mutualaid.VolunteerAvailability", "mutualaid.ShiftSignup", "mutualaid.HourLog",
    "mutualaid.MutualAidRequest", "mutualaid.MutualAidOffer", "mutualaid.OfferAvailability", "mutualaid.Match",
    "mutualaid.Account", "mutualaid.Exchange", "mutualaid.LedgerEntry", "mutualaid.MicroNetworkMember",
    "mutualaid.GroupMember",
    "work.JobSeeker", "work.Opening", "work.Placement", "work.PlacementTransition", "work.WorkPathway",
    "housing.Dwelling", "housing.HousingSearch", "housing.Tenancy", "housing.Guarantee", "housing.GuaranteeDraw",
    "housing.CoHousing", "housing.CoHousingMember", "housing.LogEntry", "exchange.ImportRun",
)  # fmt: skip


def _models() -> list[type]:
    # django-simple-history's Historical* copies hold the same fields as their model and are
    # purged with it (people.services); the register describes the models themselves.
    return [
        model
        for label in APPS
        for model in apps.get_app_config(label).get_models()
        if not issubclass(model, HistoricalChanges)
    ] + [apps.get_model(label) for label in MORE_MODELS]


def test_it_finds_the_models_it_must_check():
    names = {model.__name__ for model in _models()}
    assert {"Person", "Household", "HouseholdMember", "Consent", "Case", "Session", "Referral"} <= names


@pytest.mark.parametrize("model", _models(), ids=lambda model: model._meta.label)
def test_it_declares_the_personal_data_of_every_model(model):
    assert hasattr(model, "PERSONAL_DATA"), f"{model._meta.label} does not declare PERSONAL_DATA"


@pytest.mark.parametrize("model", _models(), ids=lambda model: model._meta.label)
def test_it_annotates_every_field(model):
    assert unannotated_fields(model) == [], f"annotate these fields of {model._meta.label} in PERSONAL_DATA"


@pytest.mark.parametrize("model", _models(), ids=lambda model: model._meta.label)
def test_it_annotates_only_fields_that_exist(model):
    fields = {field.name for field in model._meta.concrete_fields}
    assert set(model.PERSONAL_DATA) <= fields, f"stale annotations on {model._meta.label}"


def test_it_generates_the_register_with_a_retention_rule_for_every_entry():
    with translation.override("en"):
        entries = register()
        retention_texts = {str(rule) for rule in RETENTION.values()}
    assert entries
    assert all(entry.retention in retention_texts for entry in entries)
    people_fields = {(entry.model, entry.field) for entry in entries}
    assert ("person", "codice fiscale") in people_fields
