"""Records of processing as code (GDPR art. 30, S14).

Every model that holds personal data declares, for each of its fields, the category of data,
the purpose and the retention rule, in a class attribute `PERSONAL_DATA`. The register of
processing is generated from these declarations (`register()`), and a test fails when a field of
such a model is not annotated — so a new column cannot quietly escape the register.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.db import models
from django.utils.translation import gettext_lazy as _

# Technical columns of every table: not personal data in themselves.
TECHNICAL_FIELDS = frozenset({"id", "public_id", "created_at", "updated_at", "version"})


class Category(models.TextChoices):
    IDENTITY = "identity", _("identity and contact details")
    FISCAL = "fiscal", _("fiscal code")
    FAMILY = "family", _("family composition")
    SOCIAL = "social", _("social and economic situation")
    SPECIAL = "special", _("special category (health, conflicts, hardship: GDPR art. 9)")
    CONSENT = "consent", _("consent records")
    ACTIVITY = "activity", _("participation and accompaniment records")
    LINK = "link", _("link to another record")


class Purpose(models.TextChoices):
    ACCOMPANIMENT = "accompaniment", _("accompaniment of the household (case management)")
    INTAKE = "intake", _("answering a request for help")
    STATISTICS = "statistics", _("aggregate statistics and evaluation")
    ACCOUNTABILITY = "accountability", _("accountability to the funder and the partners")


@dataclass(frozen=True)
class PersonalData:
    category: str
    purpose: str
    retention: str  # a key of RETENTION

    def __post_init__(self) -> None:
        if self.retention not in RETENTION:
            raise ValueError(f"Unknown retention rule {self.retention!r}")


# Retention rules by record type; the data-subject-rights service applies them.
RETENTION = {
    "case": _("10 years after the case is closed (social record)"),
    "intake": _("12 months after triage, unless a case is opened"),
    "consent": _("as long as the data it covers, then 5 years as proof"),
    "contact": _("until withdrawn or 2 years after the last activity"),
    "import": _("the uploaded file until imported or rejected (a day at most), the row-by-row report 30 days"),
}


@dataclass(frozen=True)
class RegisterEntry:
    model: str
    field: str
    verbose_name: str
    category: str
    purpose: str
    retention: str


def annotated_models() -> list[type[models.Model]]:
    return [model for model in apps.get_models() if hasattr(model, "PERSONAL_DATA")]


def unannotated_fields(model: type[models.Model]) -> list[str]:
    declared = model.PERSONAL_DATA  # type: ignore[attr-defined]
    return [
        field.name
        for field in model._meta.concrete_fields
        if field.name not in TECHNICAL_FIELDS and field.name not in declared
    ]


def register() -> list[RegisterEntry]:
    entries = []
    for model in annotated_models():
        for field in model._meta.concrete_fields:
            annotation = model.PERSONAL_DATA.get(field.name)  # type: ignore[attr-defined]
            if annotation is None:
                continue
            entries.append(
                RegisterEntry(
                    model=str(model._meta.verbose_name),
                    field=str(field.verbose_name),
                    verbose_name=str(field.verbose_name),
                    category=str(Category(annotation.category).label),
                    purpose=str(Purpose(annotation.purpose).label),
                    retention=str(RETENTION[annotation.retention]),
                )
            )
    return entries
