"""An import: the uploaded file (kept only while a check or an import needs it) and its report."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from trama.core.models import BaseModel
from trama.core.processing import Category, PersonalData, Purpose
from trama.jobs.models import BackgroundJob
from trama.territory.models import Programme


class ImportRun(BaseModel):
    class Status(models.TextChoices):
        CHECKING = "checking", _("being checked")
        CHECKED = "checked", _("checked, waiting for confirmation")
        REJECTED = "rejected", _("has errors: nothing was imported")
        IMPORTING = "importing", _("being imported")
        IMPORTED = "imported", _("imported")
        EXPIRED = "expired", _("not confirmed in time: upload it again")
        FAILED = "failed", _("could not be completed: nothing was imported")

    OUTCOME_LABELS = (
        ("created", _("new")),
        ("updated", _("updated")),
        ("unchanged", _("unchanged")),
        ("error", _("error")),
    )

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=30)
    # Private storage, never served: deleted as soon as no job needs it (imported, rejected).
    upload = models.FileField(_("file"), upload_to="imports/", blank=True)
    filename = models.CharField(_("file name"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.CHECKING)
    job = models.ForeignKey(BackgroundJob, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    problem = models.CharField(_("problem with the file"), max_length=500, blank=True)
    counts = models.JSONField(_("rows by outcome"), default=dict, blank=True)
    # [row, outcome, label] for every row, and [row, column, value, reason] for every bad cell.
    outcomes = models.JSONField(_("outcome of each row"), default=list, blank=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)

    # The file and the row-by-row report carry what the spreadsheet held (names, codici fiscali):
    # the file goes once imported or rejected, the report's rows after 30 days (exchange.services).
    PERSONAL_DATA: ClassVar[dict[str, PersonalData]] = {
        "programme": PersonalData(Category.LINK, Purpose.ACCOUNTABILITY, "import"),
        "owner": PersonalData(Category.LINK, Purpose.ACCOUNTABILITY, "import"),
        "kind": PersonalData(Category.ACTIVITY, Purpose.ACCOUNTABILITY, "import"),
        "upload": PersonalData(Category.IDENTITY, Purpose.ACCOUNTABILITY, "import"),
        "filename": PersonalData(Category.ACTIVITY, Purpose.ACCOUNTABILITY, "import"),
        "status": PersonalData(Category.ACTIVITY, Purpose.ACCOUNTABILITY, "import"),
        "job": PersonalData(Category.LINK, Purpose.ACCOUNTABILITY, "import"),
        "problem": PersonalData(Category.ACTIVITY, Purpose.ACCOUNTABILITY, "import"),
        "counts": PersonalData(Category.ACTIVITY, Purpose.ACCOUNTABILITY, "import"),
        "outcomes": PersonalData(Category.IDENTITY, Purpose.ACCOUNTABILITY, "import"),
        "errors": PersonalData(Category.IDENTITY, Purpose.ACCOUNTABILITY, "import"),
    }

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]
        indexes = [
            # "My imports" in a programme, newest first (the import page).
            models.Index(fields=["owner", "programme", "-created_at"], name="import_owner_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.filename}"

    def get_absolute_url(self) -> str:
        return reverse("exchange:import-detail", args=[self.programme.slug, self.public_id])

    @property
    def is_busy(self) -> bool:
        return self.status in (self.Status.CHECKING, self.Status.IMPORTING)
