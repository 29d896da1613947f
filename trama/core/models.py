"""Shared abstract models.

Every table of Trama that has its own page or API resource inherits `BaseModel`: the integer
primary key stays inside the database (joins, foreign keys) and the UUID `public_id` is what
URLs, API payloads and exports show, so row counts and neighbours cannot be guessed (DESIGN.md,
"no sequential ids in URLs").
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class BaseModel(models.Model):
    public_id = models.UUIDField(_("public identifier"), default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class VersionedModel(BaseModel):
    """A row that people edit concurrently: edits carry the version they started from (S21)."""

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True


class ProgrammeScopedQuerySet(models.QuerySet):
    """The one way to narrow a programme's records; selectors start from here."""

    def for_programme(self, programme: models.Model) -> ProgrammeScopedQuerySet:
        return self.filter(programme=programme)
