"""A piece of long work someone asked for — a report, an export, an import — and its result."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from trama.core.models import BaseModel
from trama.territory.models import Programme


class BackgroundJob(BaseModel):
    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting to start")
        RUNNING = "running", _("running")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="jobs")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs")
    kind = models.CharField(_("kind"), max_length=60)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    step = models.CharField(_("current step"), max_length=200, blank=True)
    result = models.FileField(_("result"), upload_to="jobs/", blank=True)
    result_name = models.CharField(_("file name"), max_length=200, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at"]
        indexes = [
            # "My jobs" in a programme, newest first.
            models.Index(fields=["owner", "programme", "-created_at"], name="job_owner_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("jobs:detail", args=[self.programme.slug, self.public_id])

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
