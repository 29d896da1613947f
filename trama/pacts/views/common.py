"""Helpers of the pacts' views: fetching a pact and its nested records (S1, S2), and the simple
form page most actions share."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from trama.accounts.models import Role
from trama.accounts.permissions import ProgrammeAccess
from trama.pacts.models import Pact
from trama.pacts.permissions import get_pact_for_user

PACT_ROLES = (Role.COORDINATOR, Role.OPERATOR)
STALE = _(
    "Someone else changed this in the meantime. The form now shows the current version: check it and apply your "
    "change again."
)


def pact_for(request: HttpRequest, access: ProgrammeAccess, pact_id: UUID, *, audit: bool = False) -> Pact:
    """The pact if the user may see it (404 otherwise). Pages that show the pact audit the read;
    actions do not (their own write is audited)."""
    return get_pact_for_user(request.user, access.programme, pact_id, request=request, audit=audit)


def child(queryset: QuerySet, public_id: UUID) -> Model:
    """A record of this pact (S2): one of another pact answers 404, like a missing one."""
    found = queryset.filter(public_id=public_id).first()
    if found is None:
        raise Http404
    return found


def to_pact(pact: Pact, anchor: str = "") -> HttpResponse:
    response = redirect("pacts:pact-detail", slug=pact.programme.slug, pact_id=pact.public_id)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


def form_page(
    request: HttpRequest,
    access: ProgrammeAccess,
    pact: Pact | None,
    form: Any,
    *,
    title: str,
    submit: str,
    intro: str = "",
    danger: bool = False,
    cancel_url: str = "",
    status: int = 200,
    **extra: Any,
) -> HttpResponse:
    """A page with one form (or only a confirmation button when `form` is None)."""
    multipart = form is not None and form.is_multipart()
    return render(
        request,
        "pacts/form_page.html",
        {
            "access": access,
            "pact": pact,
            "form": form,
            "title": title,
            "intro": intro,
            "submit": submit,
            "danger": danger,
            "multipart": multipart,
            "cancel_url": cancel_url or (pact.get_absolute_url() if pact else ""),
            **extra,
        },
        status=status,
    )
