"""`{% export_links %}`: the download buttons of a list page, keeping the list's current filters."""

from __future__ import annotations

from typing import Any

from django import template
from django.http import QueryDict

from trama.exchange.listexport import PARAMETER

register = template.Library()


@register.inclusion_tag("exchange/_export_links.html", takes_context=True)
def export_links(context: dict[str, Any]) -> dict[str, Any]:
    request = context.get("request")
    if request is None:  # rendered outside a request (e.g. an e-mail): nothing to download
        return {"links": {}}
    links = {}
    for file_format in ("csv", "xlsx"):
        query = QueryDict(mutable=True)
        for key, values in request.GET.lists():
            if key not in (PARAMETER, "page"):
                query.setlist(key, values)
        query[PARAMETER] = file_format
        links[file_format] = f"?{query.urlencode()}"
    return {"links": links}
