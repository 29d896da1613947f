"""Euro amounts of the budget and of fundraising: the shared rules (trama/core/money.py) and this
app's column size."""

from __future__ import annotations

from decimal import Decimal

from trama.core.money import CENT, HUNDRED, ZERO, cents, euro, is_exact_cents, percent

__all__ = ["CENT", "HUNDRED", "MAX_AMOUNT", "ZERO", "cents", "euro", "is_exact_cents", "percent"]

# DecimalField(max_digits=14, decimal_places=2): up to 999,999,999,999.99.
MAX_AMOUNT = Decimal("999999999999.99")
