"""Optimistic concurrency for edits that people make from a form or the API (S21).

The form carries the version it was rendered with; the write locks the row, compares, and saves
with the next version, so of twenty concurrent edits from the same version exactly one wins and
the others get a conflict to show, never a silent overwrite. Saving through the model (not a bare
UPDATE) keeps django-simple-history's record of who changed what.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from trama.core.models import VersionedModel


class StaleVersionError(Exception):
    """The record changed since the editor loaded it."""


def save_versioned(instance: VersionedModel, *, expected_version: int, update_fields: Iterable[str]) -> None:
    """Save the changed `update_fields` of `instance` if nobody saved it since `expected_version`."""
    with transaction.atomic():
        stored = type(instance)._default_manager.select_for_update().only("version").get(pk=instance.pk)
        if stored.version != expected_version:
            raise StaleVersionError
        instance.version = expected_version + 1
        instance.save(update_fields=[*update_fields, "version", "updated_at"])
