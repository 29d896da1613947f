"""Italian identifiers of organisations, checked with python-stdnum (check digits, omocodia)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.it import codicefiscale, iva


def validate_tax_code(value: str) -> None:
    """An organisation's codice fiscale: 11 digits (like a partita IVA) or 16 characters."""
    if not value:
        return
    try:
        if value.isdigit():
            iva.validate(value)
        else:
            codicefiscale.validate(value)
    except StdnumError:
        raise ValidationError(
            _("This codice fiscale is not valid: check that no character is missing or mistyped.")
        ) from None


def validate_vat_number(value: str) -> None:
    if not value:
        return
    try:
        iva.validate(value)
    except StdnumError:
        raise ValidationError(
            _("This partita IVA is not valid: it has 11 digits and the last one is a check digit.")
        ) from None


def normalise_code(value: str) -> str:
    return value.replace(" ", "").replace("-", "").upper()
