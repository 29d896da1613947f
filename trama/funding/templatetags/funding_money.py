"""Template filters for budget and fundraising figures: `{{ amount|euro }}` → "€ 1.234,50",
`{{ share|percent }}` → "42,50 %"."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.formats import number_format

from trama.funding.money import euro as format_euro

register = template.Library()


@register.filter
def euro(value: Decimal | int | str | None) -> str:
    return format_euro(value)


@register.filter
def percent(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return number_format(value, decimal_pos=2, use_l10n=True) + "\u00a0%"
