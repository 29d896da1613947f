"""Template filters for the pacts' figures: `{{ amount|euro }}` → "€ 1.234,50", `{{ hours|hours }}` → "2,5"."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.formats import number_format

from trama.pacts.money import euro as format_euro

register = template.Library()


@register.filter
def euro(value: Decimal | int | str | None) -> str:
    return format_euro(value)


@register.filter
def hours(value: Decimal | int | str | None) -> str:
    """Hours without useless zeros: 2, 2,5, 1,25."""
    number = Decimal(value or 0).normalize()
    places = max(0, -number.as_tuple().exponent)
    return number_format(number, decimal_pos=places, use_l10n=True, force_grouping=True)
