"""The beneficiary's side: hours given back.

- The places' page (lab managers, coordinators): the commitments at the places one runs, with the
  beneficiary's name and the hours only — no budget, no case — and the hours to confirm.
- The case team logs hours from the pact's page; they wait for the place's confirmation.
"""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from trama.accounts.permissions import ProgrammeAccess, programme_view
from trama.core.forms import add_service_errors
from trama.exchange import listcolumns
from trama.exchange.listexport import list_export
from trama.pacts import selectors
from trama.pacts.forms import ContributionForm, RejectForm
from trama.pacts.models import Commitment, ContributionLog
from trama.pacts.permissions import GIVING_BACK_ROLES, giving_back_commitments
from trama.pacts.services import giving_back as services
from trama.pacts.views.common import PACT_ROLES, child, form_page, pact_for, to_pact

PAGE_SIZE = 50
TO_CONFIRM_SHOWN = 50


def _to_places(access: ProgrammeAccess) -> HttpResponse:
    return redirect("pacts:giving-back", slug=access.programme.slug)


@programme_view(*GIVING_BACK_ROLES)
def giving_back(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    """The commitments at my places (paginated) and the hours waiting for me, oldest first."""
    commitments = selectors.giving_back_list(request.user, access.programme)
    export = list_export(
        request,
        access,
        name="restituzioni",
        title=_("Commitments at my places"),
        rows=commitments,
        columns=listcolumns.GIVING_BACK,
    )
    if export is not None:
        return export
    to_confirm = selectors.logs_to_confirm(request.user, access.programme)
    page = Paginator(commitments, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "pacts/giving_back.html",
        {
            "access": access,
            "page": page,
            "query_string": "",
            "to_confirm": list(to_confirm[:TO_CONFIRM_SHOWN]),
            "to_confirm_count": to_confirm.count(),
        },
    )


def _commitment_here(request: HttpRequest, access: ProgrammeAccess, commitment_id: UUID) -> Commitment:
    """A commitment at one of the user's places (S1): any other answers 404."""
    commitment = (
        giving_back_commitments(request.user, access.programme)
        .select_related("pact__person", "pact__programme", "place", "group", "activity")
        .filter(public_id=commitment_id)
        .first()
    )
    if commitment is None:
        raise Http404
    return commitment


@programme_view(*GIVING_BACK_ROLES)
def place_contribution_create(request: HttpRequest, access: ProgrammeAccess, commitment_id: UUID) -> HttpResponse:
    """The place records hours given there: confirmed at once."""
    commitment = _commitment_here(request, access, commitment_id)
    form = ContributionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.contribution_record(
                actor=request.user, commitment=commitment, day=form.cleaned_data["date"],
                hours=form.cleaned_data["hours"], note=form.cleaned_data["note"],
            )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The hours have been recorded and confirmed."))
            return _to_places(access)
    person = commitment.pact.person
    return form_page(
        request, access, None, form, title=_("Record hours given back"), submit=_("Record the hours"),
        intro=f"{person.first_name} {person.last_name} — {commitment.description} ({commitment.where})",
        cancel_url=_places_url(access),
    )  # fmt: skip


def _places_url(access: ProgrammeAccess) -> str:
    from django.urls import reverse

    return reverse("pacts:giving-back", kwargs={"slug": access.programme.slug})


def _log_here(request: HttpRequest, access: ProgrammeAccess, log_id: UUID) -> ContributionLog:
    log = (
        ContributionLog.objects.filter(commitment__in=giving_back_commitments(request.user, access.programme))
        .select_related("commitment__pact__person", "commitment__pact__programme", "commitment__group")
        .filter(public_id=log_id)
        .first()
    )
    if log is None:
        raise Http404
    return log


@require_POST
@programme_view(*GIVING_BACK_ROLES)
def contribution_confirm(request: HttpRequest, access: ProgrammeAccess, log_id: UUID) -> HttpResponse:
    log = _log_here(request, access, log_id)
    try:
        services.contribution_confirm(actor=request.user, log=log)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The hours have been confirmed."))
    return _to_places(access)


@programme_view(*GIVING_BACK_ROLES)
def contribution_reject(request: HttpRequest, access: ProgrammeAccess, log_id: UUID) -> HttpResponse:
    log = _log_here(request, access, log_id)
    form = RejectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.contribution_reject(actor=request.user, log=log, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The hours have been marked as not confirmed."))
            return _to_places(access)
    person = log.commitment.pact.person
    return form_page(
        request, access, None, form, title=_("Do not confirm these hours"), submit=_("Do not confirm"), danger=True,
        intro=f"{person.first_name} {person.last_name} — {log.date:%d/%m/%Y}, {log.hours} h",
        cancel_url=_places_url(access),
    )  # fmt: skip


@programme_view(*PACT_ROLES)
def contribution_create(request: HttpRequest, access: ProgrammeAccess, pact_id: UUID, commitment_id: UUID
                        ) -> HttpResponse:  # fmt: skip
    """The case team logs hours the beneficiary gave; the place (or a coordinator) confirms them."""
    pact = pact_for(request, access, pact_id)
    commitment = child(pact.commitments.select_related("place", "group", "activity", "pact"), commitment_id)
    form = ContributionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            log = services.contribution_record(
                actor=request.user, commitment=commitment, day=form.cleaned_data["date"],
                hours=form.cleaned_data["hours"], note=form.cleaned_data["note"],
            )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if log.status == ContributionLog.Status.CONFIRMED:
                messages.success(request, _("The hours have been recorded and confirmed."))
            else:
                messages.success(request, _("The hours have been recorded: the place will confirm them."))
            return to_pact(pact, "commitments")
    return form_page(
        request, access, pact, form, title=_("Log hours given back"), submit=_("Log the hours"),
        intro=f"{commitment.description} — {commitment.where}",
    )  # fmt: skip


@programme_view(*PACT_ROLES)
def time_bank_count(request: HttpRequest, access: ProgrammeAccess, pact_id: UUID, commitment_id: UUID) -> HttpResponse:
    """Count on a commitment the hours the beneficiary gave in mutual aid and volunteering."""
    pact = pact_for(request, access, pact_id)
    commitment = child(pact.commitments.select_related("place", "group", "activity", "pact"), commitment_id)
    available = services.time_bank_available(pact)
    if request.method == "POST":
        try:
            log = services.contribution_from_time_bank(actor=request.user, commitment=commitment)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("%(hours)s hours of mutual aid and volunteering now count on this commitment.")
                             % {"hours": log.hours})  # fmt: skip
        return to_pact(pact, "commitments")
    return render(
        request,
        "pacts/time_bank_count.html",
        {"access": access, "pact": pact, "commitment": commitment, "available": available},
    )
