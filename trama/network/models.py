from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from trama.core.models import BaseModel, ProgrammeScopedQuerySet
from trama.territory.models import Municipality, Programme


class Organisation(BaseModel):
    """A body of the network: a municipality's administration, a co-operative, an association…

    Organisations are not owned by one programme: the same co-operative can be a partner of
    several programmes of one installation.
    """

    class Kind(models.TextChoices):
        LOCAL_AUTHORITY = "local_authority", _("local authority")
        PUBLIC_BODY = "public_body", _("public body")
        COMPANY = "company", _("company")
        SOCIAL_COOPERATIVE = "social_cooperative", _("social co-operative")
        THIRD_SECTOR = "third_sector", _("association (ODV/APS/ETS)")
        FOUNDATION = "foundation", _("foundation")
        INFORMAL_GROUP = "informal_group", _("informal group")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("municipality")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["name"], name="organisation_unique_name")]

    def __str__(self) -> str:
        return self.name


class Partnership(BaseModel):
    """The role an organisation has in a programme. The lead partner is the row with role LEAD."""

    class Role(models.TextChoices):
        LEAD = "lead", _("lead partner")
        PARTNER = "partner", _("partner")
        SUPPORTER = "supporter", _("supporter")
        NETWORK = "network", _("network member")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="partnerships")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="partnerships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    history = HistoricalRecords()

    objects = ProgrammeScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        ordering = ["programme", "role", "organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "organisation"], name="partnership_unique_member"),
            models.UniqueConstraint(fields=["programme"], condition=Q(role="lead"), name="partnership_one_lead"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.get_role_display()} ({self.programme})"
