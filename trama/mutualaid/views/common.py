"""Small helpers shared by the views of this app."""

from __future__ import annotations

from uuid import UUID

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

PAGE_SIZE = 25


def uuid_text(value: str) -> str:
    """A UUID from a query string, or "" when it is not one (never an error page)."""
    try:
        return str(UUID(value))
    except ValueError:
        return ""


def page_of(request: HttpRequest, rows: QuerySet, size: int = PAGE_SIZE) -> Page:
    return Paginator(rows, size).get_page(request.GET.get("page"))


def choice(request: HttpRequest, name: str, allowed: list[str] | tuple[str, ...]) -> str:
    value = request.GET.get(name, "")
    return value if value in allowed else ""
