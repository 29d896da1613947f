"""Printable documents of the data-subject rights (the access report, the data export) as PDF.

WeasyPrint is imported only when a PDF is made. The HTML carries text typed by people, so the
renderer may open the vendored fonts and nothing else: no file of the server, no network.
"""

from __future__ import annotations

from typing import Any

from trama.core.pdf import render_pdf as core_render_pdf


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    return core_render_pdf(template, "people/pdf/document.css", context)
