"""Euro amounts: exact decimals, never floats.

Amounts are `Decimal` with two places (cents). A value with more precision is refused rather than
rounded, so what a person typed is what the ledger keeps; sums are computed by the database on
`DecimalField`s and quantised to the cent before they are compared or shown. Pacts and the
programme's budget share these; each keeps its own column sizes (`MAX_AMOUNT`).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.formats import number_format

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)


def cents(value: Decimal | int | str | None) -> Decimal:
    """`value` as euro and cents (None, as from an empty aggregate, is zero)."""
    if value is None:
        return ZERO
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def is_exact_cents(value: Decimal) -> bool:
    """A finite amount with at most two decimal places: 12.30 yes, 12.305 no."""
    try:
        return value.is_finite() and value == value.quantize(CENT)
    except InvalidOperation:
        return False


def percent(part: Decimal, whole: Decimal) -> Decimal | None:
    """`part` as a percentage of `whole`, to two places; None when there is no whole."""
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(CENT, rounding=ROUND_HALF_UP)


def euro(value: Decimal | int | str | None) -> str:
    """The amount as people read it in the active language: "€ 1.234,50" in Italian."""
    return "€\u00a0" + number_format(cents(value), decimal_pos=2, use_l10n=True, force_grouping=True)
