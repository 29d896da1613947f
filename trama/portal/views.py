from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from trama.territory.models import Programme
from trama.territory.selectors import programme_action_lines, programme_partners_by_role, programme_territory


def index(request: HttpRequest) -> HttpResponse:
    """The programmes hosted here, and the way in for the people who work on them."""
    return render(request, "portal/index.html", {"programmes": Programme.objects.public().order_by("name")})


def programme(request: HttpRequest, slug: str) -> HttpResponse:
    """A programme's public home: aggregate facts only, never a person (S8)."""
    programme = Programme.objects.public().filter(slug=slug).first()
    if programme is None:
        raise Http404
    return render(
        request,
        "portal/programme.html",
        {
            "programme": programme,
            "territory": programme_territory(programme),
            "action_lines": programme_action_lines(programme),
            "partners_by_role": programme_partners_by_role(programme),
        },
    )
