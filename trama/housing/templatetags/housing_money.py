"""`{{ amount|euro }}` → "€ 1.234,50" on the housing pages."""

from __future__ import annotations

from decimal import Decimal

from django import template

from trama.core.money import euro as format_euro

register = template.Library()


@register.filter
def euro(value: Decimal | int | str | None) -> str:
    return format_euro(value)
