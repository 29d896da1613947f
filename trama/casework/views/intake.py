"""The public "I need help" form, internal signals, and the coordinators' intake queue."""

from __future__ import annotations

from urllib.parse import urlencode
from uuid import UUID

from axes.helpers import get_client_ip_address
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from trama.accounts.audit import audit_record
from trama.accounts.models import AuditEvent, Role
from trama.accounts.permissions import ProgrammeAccess, programme_view
from trama.casework.forms import HelpRequestForm, IntakeCloseForm, SignalForm, TriageForm
from trama.casework.models import Channel, IntakeRequest
from trama.casework.selectors.cases import (
    case_organisations,
    household_matches,
    intake_queue,
    programme_operators,
)
from trama.casework.services import intake as services
from trama.core.forms import add_service_errors as apply_errors
from trama.exchange import listcolumns
from trama.exchange.listexport import list_export
from trama.people.permissions import visible_households
from trama.territory.models import Programme

PAGE_SIZE = 25


# --- Public -------------------------------------------------------------------------------


def _public_programme(slug: str) -> Programme:
    programme = Programme.objects.public().filter(slug=slug).first()
    if programme is None:
        raise Http404
    return programme


@never_cache  # what a visitor typed is re-shown only to them on an error, and never kept by a cache
@require_http_methods(["GET", "HEAD", "POST"])
def help_request(request: HttpRequest, slug: str) -> HttpResponse:
    """The public "Ho bisogno di aiuto" form: plain language, privacy notice, explicit consent."""
    programme = _public_programme(slug)
    form = HelpRequestForm(request.POST or None, municipalities=programme.municipalities.all())
    if request.method == "POST":
        client_ip = get_client_ip_address(request) or "unknown"
        if services.help_rate_limited(programme=programme, client_ip=client_ip):
            return render(request, "casework/help_rate_limited.html", {"programme": programme}, status=429)
        if request.POST.get(HelpRequestForm.HONEYPOT):
            # A bot: pretend it worked, store nothing.
            services.help_rate_count(programme=programme, client_ip=client_ip)
            return redirect("help:thanks", slug=programme.slug)
        if form.is_valid():
            try:
                services.intake_submit_public(programme=programme, contact=form.contact())
            except ValidationError as error:
                apply_errors(form, error)
            else:
                services.help_rate_count(programme=programme, client_ip=client_ip)
                return redirect("help:thanks", slug=programme.slug)
    return render(request, "casework/help_request.html", {"programme": programme, "form": form})


@require_safe
def help_thanks(request: HttpRequest, slug: str) -> HttpResponse:
    return render(request, "casework/help_thanks.html", {"programme": _public_programme(slug)})


# --- Signals (operators, lab managers, coordinators) ----------------------------------------


@programme_view(Role.OPERATOR, Role.LAB_MANAGER, Role.COORDINATOR)
def signal_create(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    programme = access.programme
    organisations = [m.organisation for m in services.signal_memberships(request.user, programme)]
    form = SignalForm(request.POST or None, municipalities=programme.municipalities.all(), organisations=organisations)
    if request.method == "POST" and form.is_valid():
        try:
            services.intake_signal(
                actor=request.user,
                programme=programme,
                channel=form.cleaned_data["channel"],
                contact=form.contact(),
                organisation=form.cleaned_data.get("organisation"),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Thank you: the signal is in the intake queue. A coordinator will triage it."))
            return redirect("territory:programme-home", slug=programme.slug)
    return render(request, "casework/intake_signal.html", {"access": access, "form": form})


# --- The intake queue (coordinators) --------------------------------------------------------


@programme_view(Role.COORDINATOR)
def intake_list(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    status = request.GET.get("status", IntakeRequest.Status.NEW)
    channel = request.GET.get("channel", "")
    status = status if status in IntakeRequest.Status.values else ""
    channel = channel if channel in Channel.values else ""
    requests = intake_queue(access.programme, status=status, channel=channel)
    export = list_export(
        request, access, name="accoglienza", title=_("Intake queue"), rows=requests, columns=listcolumns.INTAKE
    )
    if export is not None:
        return export
    page = Paginator(requests, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "casework/intake_queue.html",
        {
            "access": access,
            "page": page,
            "status": status,
            "channel": channel,
            "statuses": IntakeRequest.Status.choices,
            "channels": Channel.choices,
            "query_string": urlencode({"status": status, "channel": channel}),
        },
    )


def _intake_request(access: ProgrammeAccess, request_id: UUID) -> IntakeRequest:
    intake = (
        IntakeRequest.objects.for_programme(access.programme)
        .select_related("municipality", "submitted_by", "submitted_for", "case__household")
        .filter(public_id=request_id)
        .first()
    )
    if intake is None:
        raise Http404
    return intake


def _uuid(value: str) -> UUID | None:
    try:
        return UUID(value)
    except ValueError:
        return None


def _triage_form(request: HttpRequest, access: ProgrammeAccess, intake: IntakeRequest) -> tuple[TriageForm, list]:
    programme = access.programme
    query = request.GET.get("household_q", "").strip()
    matches = household_matches(request.user, programme, query)
    households = visible_households(request.user, programme)
    chosen = _uuid(request.POST.get("household", "")) if request.method == "POST" else None
    if chosen is not None and all(h.public_id != chosen for h in matches):
        # Keep the chosen household among the choices when the form comes back with an error.
        matches = [*matches, *households.filter(public_id=chosen).select_related("municipality")]
    first, _space, last = intake.contact_name.strip().rpartition(" ")
    initial = {
        "household_label": f"Famiglia {last or first}".strip(),
        "first_name": first or last,
        "last_name": last if first else "",
        "municipality": intake.municipality.istat_code if intake.municipality else None,
        "opened_on": timezone.localdate(),
    }
    form = TriageForm(
        request.POST or None,
        initial=initial,
        households=households,
        matches=matches,
        municipalities=programme.municipalities.all(),
        organisations=case_organisations(programme),
        operators=programme_operators(programme),
        action_lines=programme.action_lines.order_by("name"),
    )
    return form, matches


@programme_view(Role.COORDINATOR)
def intake_detail(request: HttpRequest, access: ProgrammeAccess, request_id: UUID) -> HttpResponse:
    """A request and its triage: open a case for it (POST), or go to closing it."""
    intake = _intake_request(access, request_id)
    form, matches = _triage_form(request, access, intake)
    if request.method == "POST" and intake.status == IntakeRequest.Status.NEW and form.is_valid():
        data = form.cleaned_data
        new = None
        if data["household"] is None:
            new = services.NewHousehold(
                label=data["household_label"], municipality=data["municipality"],
                first_name=data["first_name"], last_name=data["last_name"],
            )  # fmt: skip
        try:
            case = services.intake_triage(
                actor=request.user, request=intake, organisation=data["organisation"], lead=data["lead"].user,
                household=data["household"], new_household=new, action_line=data["action_line"],
                opened_on=data["opened_on"],
            )  # fmt: skip
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The case has been opened and assigned."))
            return redirect("casework:case-detail", slug=access.programme.slug, case_id=case.public_id)
    elif request.method == "GET":
        # The request's message is special-category text: reading it is recorded (S10).
        with transaction.atomic():
            audit_record(
                action=AuditEvent.Action.READ, actor=request.user, request=request, programme=access.programme,
                membership=access.membership_for(Role.COORDINATOR), target=intake,
            )  # fmt: skip
    return render(
        request,
        "casework/intake_detail.html",
        {
            "access": access,
            "intake": intake,
            "form": form,
            "matches": matches,
            "household_query": request.GET.get("household_q", ""),
        },
    )


@programme_view(Role.COORDINATOR)
def intake_close(request: HttpRequest, access: ProgrammeAccess, request_id: UUID) -> HttpResponse:
    intake = _intake_request(access, request_id)
    form = IntakeCloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.intake_close(actor=request.user, request=intake, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The request has been closed without a case."))
            return redirect("casework:intake-list", slug=access.programme.slug)
    return render(request, "casework/intake_close.html", {"access": access, "intake": intake, "form": form})
