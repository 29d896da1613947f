"""Figures stored per programme and period, kept current as records change (DESIGN.md, "Performance
budgets": the funder's view across the region's programmes under 1 s).

Computing the side-by-side indicators afresh costs ~50 ms a programme at regional scale (distinct
people over its attendances, the needs assessments' windows): ~3 s for fifty programmes. Most
programmes have not changed since the last view: `values()` reads the stored figures of the period
in one query, recomputes those of the programmes whose records changed since (their
`ProgrammeDataVersion` moved on, bumped after every audited write commits) or that are older than
`TRAMA_STORED_FIGURES_MAX_AGE` seconds (a safety net for writes that bypass the services), and
stores them back. Tests prove the result equal to the compute functions after changes.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from trama.evaluation.models import ProgrammeDataVersion, StoredFigure
from trama.evaluation.registry import Filters, Indicator, Period
from trama.territory.models import Programme

DEFAULT_MAX_AGE = 86400  # seconds


def _max_age() -> timedelta:
    return timedelta(seconds=getattr(settings, "TRAMA_STORED_FIGURES_MAX_AGE", DEFAULT_MAX_AGE))


def versions_of(programmes: list[Programme]) -> dict[int, int]:
    """programme pk → the version of its records (absent: never changed, version 0)."""
    rows = ProgrammeDataVersion.objects.filter(programme__in=programmes).values_list("programme_id", "version")
    return dict(rows)


def restore(value: Decimal, indicator: Indicator) -> int | Decimal:
    """The stored decimal as the compute function returns it (hours and euro to the cent)."""
    if indicator.unit in ("hours", "euro"):
        return value.quantize(Decimal("0.01"))
    if value == value.to_integral_value():
        return int(value)
    return value


def values(
    programmes: list[Programme], period: Period, indicators: list[Indicator]
) -> dict[int, dict[str, int | Decimal]]:
    """programme pk → indicator code → figure (raw, unsuppressed), with no filter. Two queries when
    nothing changed; plus the compute functions of the programmes that did, and one write."""
    codes = [indicator.code for indicator in indicators]
    versions = versions_of(programmes)
    oldest = timezone.now() - _max_age()
    stored: dict[int, dict[str, Decimal]] = {}
    rows = StoredFigure.objects.filter(
        programme__in=programmes, start=period.start, end=period.end, indicator_code__in=codes
    ).values_list("programme_id", "indicator_code", "value", "version", "computed_at")
    for programme_id, code, value, version, computed_at in rows:
        if version == versions.get(programme_id, 0) and computed_at >= oldest:
            stored.setdefault(programme_id, {})[code] = value
    figures: dict[int, dict[str, int | Decimal]] = {}
    fresh: list[StoredFigure] = []
    now = timezone.now()
    for programme in programmes:
        found = stored.get(programme.pk, {})
        figures[programme.pk] = {}
        for indicator in indicators:
            if indicator.code in found:
                figures[programme.pk][indicator.code] = restore(found[indicator.code], indicator)
                continue
            # The version read above, before computing: a change committed meanwhile leaves this
            # figure at an older version than the programme's, so it is computed again next time.
            value = indicator.compute(programme, period, Filters())
            figures[programme.pk][indicator.code] = value
            fresh.append(
                StoredFigure(
                    programme=programme,
                    indicator_code=indicator.code,
                    start=period.start,
                    end=period.end,
                    value=Decimal(str(value)),
                    version=versions.get(programme.pk, 0),
                    computed_at=now,
                )
            )
    if fresh:
        StoredFigure.objects.bulk_create(
            fresh,
            update_conflicts=True,
            unique_fields=["programme", "start", "end", "indicator_code"],
            update_fields=["value", "version", "computed_at"],
        )
    return figures
