"""Mutual aid for the programme's staff: requests with the engine's proposals and their reasons,
the life of a match, and the offers."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from trama.accounts.models import Role
from trama.accounts.permissions import ProgrammeAccess, programme_view
from trama.casework.models import Case
from trama.casework.permissions import visible_cases
from trama.core.concurrency import StaleVersionError
from trama.core.forms import add_service_errors
from trama.exchange import listcolumns
from trama.exchange.listexport import list_export
from trama.mutualaid.forms import MatchDoneForm, ReasonForm, slot_formset
from trama.mutualaid.forms_aid import OfferForm, RequestForm
from trama.mutualaid.models import Category, Match, MutualAidRequest, Urgency, Volunteer, decode_codes
from trama.mutualaid.permissions import (
    STAFF_ROLES,
    get_offer_for_user,
    get_request_for_user,
    get_staff_match,
)
from trama.mutualaid.proposals import propose
from trama.mutualaid.selectors import aid as selectors
from trama.mutualaid.services import aid as services
from trama.mutualaid.services import matches
from trama.mutualaid.views.common import choice, page_of
from trama.network.models import CitizenGroup
from trama.people.models import Household


def _households(access: ProgrammeAccess, user: object) -> object:
    """The households a request may come from: followed by an open case the user may see."""
    if not access.has_role(Role.COORDINATOR, Role.OPERATOR):
        return Household.objects.none()
    cases = visible_cases(user, access.programme).filter(status=Case.Status.OPEN)
    return Household.objects.filter(pk__in=cases.values("household_id")).order_by("label")


# --- Requests -------------------------------------------------------------------------------------


@programme_view(*STAFF_ROLES)
def request_list(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    filters = selectors.RequestFilters(
        query=request.GET.get("q", "").strip(),
        status=choice(request, "status", MutualAidRequest.Status.values),
        category=choice(request, "category", Category.values),
        urgency=choice(request, "urgency", Urgency.values),
    )
    requests = selectors.request_list(request.user, access.programme, filters)
    export = list_export(
        request,
        access,
        name="richieste-aiuto",
        title=_("Mutual-aid requests"),
        rows=requests,
        columns=listcolumns.AID_REQUESTS,
    )
    if export is not None:
        return export
    page = page_of(request, requests)
    return render(
        request,
        "mutualaid/request_list.html",
        {
            "access": access,
            "page": page,
            "filters": filters,
            "statuses": MutualAidRequest.Status.choices,
            "categories": Category.choices,
            "urgencies": Urgency.choices,
            "query_string": urlencode(
                {"q": filters.query, "status": filters.status, "category": filters.category, "urgency": filters.urgency}
            ),
        },
    )


def _party(request: HttpRequest, access: ProgrammeAccess, form: RequestForm | OfferForm, kind: str) -> services.Party:
    data = form.cleaned_data
    if kind == "household":
        return services.Party(household=data["household"])
    if kind == "group":
        return services.Party(group=data["group"])
    if kind == "volunteer":
        return services.Party(volunteer=data["volunteer"])
    return services.Party(
        person=services.citizen_contact(actor=request.user, programme=access.programme, **form.citizen())
    )


@programme_view(*STAFF_ROLES)
def request_create(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    form = RequestForm(
        request.POST or None,
        households=_households(access, request.user),
        groups=CitizenGroup.objects.filter(programme=access.programme).order_by("name"),
        municipalities=access.programme.municipalities.order_by("name"),
    )
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():  # a new citizen contact is kept only with their request
                aid_request = services.request_create(
                    actor=request.user, programme=access.programme,
                    requester=_party(request, access, form, form.cleaned_data["requester_kind"]),
                    fields=form.fields_for_service(),
                )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The request has been recorded: here are the helpers who could answer it."))
            return redirect(aid_request.get_absolute_url())
    return render(request, "mutualaid/request_form.html", {"access": access, "form": form})


@programme_view(*STAFF_ROLES)
def request_detail(request: HttpRequest, access: ProgrammeAccess, request_id: str) -> HttpResponse:
    aid_request = get_request_for_user(request.user, access.programme, request_id, http_request=request)
    is_open = aid_request.status in (MutualAidRequest.Status.OPEN, MutualAidRequest.Status.MATCHED)
    matches = selectors.request_matches(aid_request)
    agreed = any(match.status == Match.Status.ACCEPTED for match in matches)
    return render(
        request,
        "mutualaid/request_detail.html",
        {
            "access": access,
            "aid_request": aid_request,
            "matches": matches,
            "proposals": propose(aid_request) if is_open and not agreed else [],
            "is_open": is_open,
            "done_form": MatchDoneForm(initial={"occurred_on": timezone.localdate()}),
        },
    )


@programme_view(*STAFF_ROLES)
def request_cancel(request: HttpRequest, access: ProgrammeAccess, request_id: str) -> HttpResponse:
    aid_request = get_request_for_user(request.user, access.programme, request_id)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_cancel(actor=request.user, request=aid_request, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The request has been withdrawn."))
            return redirect("mutualaid:request-list", slug=access.programme.slug)
    return render(
        request, "mutualaid/request_cancel.html", {"access": access, "aid_request": aid_request, "form": form}
    )


# --- Matches --------------------------------------------------------------------------------------


@require_POST
@programme_view(*STAFF_ROLES)
def match_propose(request: HttpRequest, access: ProgrammeAccess, request_id: str, offer_id: str) -> HttpResponse:
    aid_request = get_request_for_user(request.user, access.programme, request_id)
    offer = get_offer_for_user(request.user, access.programme, offer_id)
    try:
        matches.match_propose(actor=request.user, request=aid_request, offer=offer)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The helper has been proposed: both sides are asked to accept."))
    return redirect(aid_request.get_absolute_url())


@require_POST
@programme_view(*STAFF_ROLES)
def match_accept(request: HttpRequest, access: ProgrammeAccess, match_id: str) -> HttpResponse:
    match = get_staff_match(request.user, access.programme, match_id)
    side = request.POST.get("side", "")
    if side not in (Match.Side.REQUESTER, Match.Side.HELPER):
        raise Http404
    try:
        matches.match_accept(actor=request.user, match=match, side=side)
    except PermissionDenied:
        messages.error(request, _("The helper has an account: they answer for themselves."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The answer has been recorded."))
    return redirect(match.request.get_absolute_url())


@programme_view(*STAFF_ROLES)
def match_cancel(request: HttpRequest, access: ProgrammeAccess, match_id: str) -> HttpResponse:
    match = get_staff_match(request.user, access.programme, match_id)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            matches.match_cancel(actor=request.user, match=match, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The match has been cancelled."))
            return redirect(match.request.get_absolute_url())
    return render(request, "mutualaid/match_cancel.html", {"access": access, "match": match, "form": form})


@require_POST
@programme_view(*STAFF_ROLES)
def match_done(request: HttpRequest, access: ProgrammeAccess, match_id: str) -> HttpResponse:
    match = get_staff_match(request.user, access.programme, match_id)
    form = MatchDoneForm(request.POST)
    if form.is_valid():
        try:
            matches.match_complete(
                actor=request.user, match=match, hours=form.cleaned_data["hours"],
                occurred_on=form.cleaned_data["occurred_on"],
            )  # fmt: skip
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The help is recorded as done, with its hours in the time bank."))
    else:
        messages.error(request, " ".join(message for errors in form.errors.values() for message in errors))
    return redirect(match.request.get_absolute_url())


# --- Offers ---------------------------------------------------------------------------------------


def _offer_form(request: HttpRequest, access: ProgrammeAccess, *, editing: bool, initial: dict | None = None):
    return OfferForm(
        request.POST or None,
        initial=initial,
        volunteers=Volunteer.objects.filter(programme=access.programme, status=Volunteer.Status.APPROVED)
        .select_related("person")
        .order_by("person__last_name", "person__first_name"),
        groups=CitizenGroup.objects.filter(programme=access.programme).order_by("name"),
        municipalities=access.programme.municipalities.order_by("name"),
        editing=editing,
    )


@programme_view(*STAFF_ROLES)
def offer_list(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    filters = selectors.OfferFilters(
        query=request.GET.get("q", "").strip(),
        category=choice(request, "category", Category.values),
        active=choice(request, "active", ("0", "1")),
    )
    offers = selectors.offer_list(request.user, access.programme, filters)
    export = list_export(
        request, access, name="offerte-aiuto", title=_("Mutual-aid offers"), rows=offers, columns=listcolumns.AID_OFFERS
    )
    if export is not None:
        return export
    page = page_of(request, offers)
    return render(
        request,
        "mutualaid/offer_list.html",
        {
            "access": access,
            "page": page,
            "filters": filters,
            "categories": Category.choices,
            "query_string": urlencode({"q": filters.query, "category": filters.category, "active": filters.active}),
        },
    )


@programme_view(*STAFF_ROLES)
def offer_create(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    form = _offer_form(request, access, editing=False, initial={"is_active": True, "max_distance_km": 5})
    data = request.POST if request.method == "POST" else None
    slots = slot_formset(data)
    if request.method == "POST" and form.is_valid() and slots.is_valid():
        kind = form.cleaned_data["offerer_kind"]
        try:
            with transaction.atomic():  # a new citizen contact is kept only with their offer
                offer = services.offer_create(
                    actor=request.user, programme=access.programme, offerer=_party(request, access, form, kind),
                    fields=form.fields_for_service(), languages=form.cleaned_data["languages"],
                    # A volunteer's offer without ranges takes the volunteer's own weekly availability.
                    slots=slots.slots() or (None if kind == "volunteer" else []),
                )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The offer has been recorded."))
            return redirect(offer.get_absolute_url())
    return render(request, "mutualaid/offer_form.html", {"access": access, "form": form, "slots": slots,
                                                          "offer": None})  # fmt: skip


@programme_view(*STAFF_ROLES)
def offer_edit(request: HttpRequest, access: ProgrammeAccess, offer_id: str) -> HttpResponse:
    offer = get_offer_for_user(request.user, access.programme, offer_id)
    initial = {name: getattr(offer, name) for name in services.OFFER_FIELDS} | {
        "languages": decode_codes(offer.languages), "version": offer.version,
    }  # fmt: skip
    form = _offer_form(request, access, editing=True, initial=initial)
    data = request.POST if request.method == "POST" else None
    slots = slot_formset(data, slots=list(selectors.offer_slots(offer)))
    if request.method == "POST" and form.is_valid() and slots.is_valid():
        try:
            services.offer_update(
                actor=request.user, offer=offer, expected_version=form.cleaned_data["version"] or 0,
                fields=form.fields_for_service(), languages=form.cleaned_data["languages"], slots=slots.slots(),
            )  # fmt: skip
        except StaleVersionError:
            messages.error(
                request, _("Someone else changed this offer in the meantime: the form shows it as it is now.")
            )
            return redirect(offer.get_absolute_url())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The offer has been saved."))
            return redirect("mutualaid:offer-list", slug=access.programme.slug)
    return render(request, "mutualaid/offer_form.html", {"access": access, "form": form, "slots": slots,
                                                          "offer": offer})  # fmt: skip
