"""The receipt of a donation: an A4 PDF (WeasyPrint) with the programme, the donor, the amount,
the date and the method of payment, numbered per programme and year."""

from __future__ import annotations

from django.utils import timezone

from trama.core.pdf import render_pdf
from trama.funding.models import Donation
from trama.funding.money import euro
from trama.network.models import Partnership


def receipt_pdf(donation: Donation) -> bytes:
    programme = donation.programme
    lead = (
        Partnership.objects.filter(programme=programme, role=Partnership.Role.LEAD)
        .select_related("organisation__municipality")
        .first()
    )
    return render_pdf(
        "funding/pdf/receipt.html",
        "funding/pdf/receipt.css",
        {
            "donation": donation,
            "donor": donation.donor,
            "programme": programme,
            "lead": lead.organisation if lead else None,
            "amount": euro(donation.amount),
            "generated_at": timezone.now(),
        },
    )
