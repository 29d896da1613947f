"""PDF documents (WeasyPrint): one renderer for every document Trama prints.

Documents carry text typed by people, so the renderer may open the vendored fonts and nothing
else — no file of the server, no network: a PDF must not become a way to read either.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

FONT_DIR = Path(settings.BASE_DIR) / "static" / "vendor" / "bootstrap-italia" / "fonts" / "Titillium_Web"


def fonts_only_fetcher() -> Any:
    """A WeasyPrint URL fetcher that opens the vendored fonts and refuses everything else."""
    from weasyprint import URLFetcher

    allowed = FONT_DIR.as_uri() + "/"

    class FontsOnly(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            if not url.startswith(allowed) or ".." in url:
                raise ValueError(f"the document loads no external resource: {url}")
            return super().fetch(url, headers)

    return FontsOnly(allowed_protocols=["file"])


def render_pdf(html_template: str, css_template: str, context: dict[str, Any]) -> bytes:
    """Render the two templates (the CSS gets `font_dir` for its @font-face rules) to PDF bytes."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    context = {**context, "font_dir": FONT_DIR.as_uri()}
    fetcher = fonts_only_fetcher()
    font_config = FontConfiguration()
    stylesheet = CSS(string=render_to_string(css_template, context), font_config=font_config, url_fetcher=fetcher)
    html = HTML(string=render_to_string(html_template, context), url_fetcher=fetcher)
    return html.write_pdf(stylesheets=[stylesheet], font_config=font_config)
