"""The certificate of attendance of a Well-Fare Lab course: an A4 PDF (WeasyPrint) with the
person, the course, its modules, the hours attended (frozen when it was issued) and its number."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from trama.network.models import Partnership
from trama.training.models import Certificate

FONT_DIR = Path(settings.BASE_DIR) / "static" / "vendor" / "bootstrap-italia" / "fonts" / "Titillium_Web"


def _fonts_only_fetcher() -> Any:
    """The certificate carries text typed by people: the renderer opens the vendored fonts and
    nothing else, no file of the server and no network."""
    from weasyprint import URLFetcher

    allowed = FONT_DIR.as_uri() + "/"

    class FontsOnly(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            if not url.startswith(allowed) or ".." in url:
                raise ValueError(f"the certificate loads no external resource: {url}")
            return super().fetch(url, headers)

    return FontsOnly(allowed_protocols=["file"])


def certificate_pdf(certificate: Certificate) -> bytes:
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    course = certificate.course
    lead = (
        Partnership.objects.filter(programme=certificate.programme, role=Partnership.Role.LEAD)
        .select_related("organisation")
        .first()
    )
    dates = (
        course.activity.occurrences.exclude(status="cancelled")
        .order_by("starts_at")
        .values_list("starts_at", flat=True)
    )
    context = {
        "certificate": certificate,
        "course": course,
        "person": certificate.participant.person,
        "participant": certificate.participant,
        "programme": certificate.programme,
        "lead": lead.organisation if lead else None,
        "modules": list(course.modules.order_by("position")),
        "peer_trainers": list(course.trainers.filter(is_peer=True).select_related("user", "organisation")),
        "first_date": dates.first(),
        "last_date": dates.last(),
        "generated_at": timezone.now(),
        "font_dir": FONT_DIR.as_uri(),
    }
    fetcher = _fonts_only_fetcher()
    font_config = FontConfiguration()
    stylesheet = CSS(
        string=render_to_string("training/pdf/certificate.css", context), font_config=font_config, url_fetcher=fetcher
    )
    html = HTML(string=render_to_string("training/pdf/certificate.html", context), url_fetcher=fetcher)
    return html.write_pdf(stylesheets=[stylesheet], font_config=font_config)
