"""Euro amounts of pacts: the shared rules (trama/core/money.py) and this app's column size."""

from __future__ import annotations

from decimal import Decimal

from trama.core.money import CENT, ZERO, cents, euro, is_exact_cents

__all__ = ["CENT", "MAX_AMOUNT", "ZERO", "cents", "euro", "is_exact_cents"]

# DecimalField(max_digits=12, decimal_places=2): up to 9,999,999,999.99.
MAX_AMOUNT = Decimal("9999999999.99")
