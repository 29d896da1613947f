"""Writes of the public site. Visitors are anonymous: nothing here touches a person's data."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from trama.network.models import DownloadCounter
from trama.territory.models import Programme


def download_record(*, programme: Programme, file: str) -> None:
    """Count one download of a file of the programme's public map (seed 001 reports 1,014).

    The row is created on the first download; the increment is a single UPDATE … SET count =
    count + 1, so concurrent downloads never lose a count. No audit row: an anonymous download of
    public data is a statistic, not an act of someone.
    """
    if file not in DownloadCounter.File.values:
        raise ValueError(f"unknown download file {file!r}")
    with transaction.atomic():
        # get_or_create retries the read when a concurrent request inserted the row first.
        DownloadCounter.objects.get_or_create(programme=programme, file=file)
        DownloadCounter.objects.filter(programme=programme, file=file).update(count=F("count") + 1)
