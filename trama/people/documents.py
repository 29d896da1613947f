"""Printable documents of the data-subject rights (the access report, the data export) as PDF.

WeasyPrint is imported only when a PDF is made. The HTML carries text typed by people, so the
renderer may open the vendored fonts and nothing else: no file of the server, no network.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

FONT_DIR = Path(settings.BASE_DIR) / "static" / "vendor" / "bootstrap-italia" / "fonts" / "Titillium_Web"


def _fonts_only_fetcher() -> Any:
    from weasyprint import URLFetcher

    allowed = FONT_DIR.as_uri() + "/"

    class FontsOnly(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            if not url.startswith(allowed) or ".." in url:
                raise ValueError(f"a rights document loads no external resource: {url}")
            return super().fetch(url, headers)

    return FontsOnly(allowed_protocols=["file"])


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    context = {**context, "font_dir": FONT_DIR.as_uri()}
    fetcher = _fonts_only_fetcher()
    font_config = FontConfiguration()
    stylesheet = CSS(
        string=render_to_string("people/pdf/document.css", context), font_config=font_config, url_fetcher=fetcher
    )
    html = HTML(string=render_to_string(template, context), url_fetcher=fetcher)
    return html.write_pdf(stylesheets=[stylesheet], font_config=font_config)
