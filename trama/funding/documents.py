"""The receipt of a donation: an A4 PDF (WeasyPrint) with the programme, the donor, the amount,
the date and the method of payment, numbered per programme and year."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from trama.funding.models import Donation
from trama.funding.money import euro
from trama.network.models import Partnership

FONT_DIR = Path(settings.BASE_DIR) / "static" / "vendor" / "bootstrap-italia" / "fonts" / "Titillium_Web"


def fonts_only_fetcher() -> Any:
    """The receipt carries text typed by people: the renderer opens the vendored fonts and
    nothing else, no file of the server and no network."""
    from weasyprint import URLFetcher

    allowed = FONT_DIR.as_uri() + "/"

    class FontsOnly(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            if not url.startswith(allowed) or ".." in url:
                raise ValueError(f"the document loads no external resource: {url}")
            return super().fetch(url, headers)

    return FontsOnly(allowed_protocols=["file"])


def render_pdf(html_template: str, css_template: str, context: dict[str, Any]) -> bytes:
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    context = {**context, "font_dir": FONT_DIR.as_uri()}
    fetcher = fonts_only_fetcher()
    font_config = FontConfiguration()
    stylesheet = CSS(string=render_to_string(css_template, context), font_config=font_config, url_fetcher=fetcher)
    html = HTML(string=render_to_string(html_template, context), url_fetcher=fetcher)
    return html.write_pdf(stylesheets=[stylesheet], font_config=font_config)


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
