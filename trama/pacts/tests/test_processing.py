"""S14 for the pacts: every model declares its personal data, every field is annotated (the lead
adds the labels to trama/core/tests/test_processing_register.py MORE_MODELS), and S3: no route of
the pacts answers an anonymous visitor."""

from __future__ import annotations

import uuid

import pytest
from django.apps import apps
from django.urls import get_resolver, reverse
from simple_history.models import HistoricalChanges

from trama.core.processing import unannotated_fields

MODELS = [model for model in apps.get_app_config("pacts").get_models() if not issubclass(model, HistoricalChanges)]


def test_it_checks_every_model_of_the_pacts():
    assert {m._meta.label for m in MODELS} == {
        "pacts.Pact", "pacts.PactVersion", "pacts.Signatory", "pacts.BudgetLine", "pacts.Disbursement",
        "pacts.Commitment", "pacts.ContributionLog", "pacts.Review", "pacts.ReviewItem",
    }  # fmt: skip


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model._meta.label)
def test_it_annotates_every_field_of_every_model(model):
    assert hasattr(model, "PERSONAL_DATA")
    assert unannotated_fields(model) == []
    assert set(model.PERSONAL_DATA) <= {field.name for field in model._meta.concrete_fields}


@pytest.mark.django_db
def test_it_sends_anonymous_visitors_of_every_pacts_route_to_the_login(client):
    from trama.core.tests.factories import ProgrammeFactory

    ProgrammeFactory(slug="programma-a")
    resolver = next(r for r in get_resolver().url_patterns if getattr(r, "namespace", None) == "pacts")
    leaks = []
    for pattern in resolver.url_patterns:
        kwargs = {
            key: (
                uuid.uuid4() if type(converter).__name__ == "UUIDConverter" else 1 if key == "number" else "programma-a"
            )
            for key, converter in pattern.pattern.converters.items()
        }
        url = reverse(f"pacts:{pattern.name}", kwargs=kwargs)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            redirected = response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
            if not (redirected or response.status_code == 405):
                leaks.append((method, pattern.name, response.status_code))
    assert leaks == []
