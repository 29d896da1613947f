"""The time bank and the figures: the programme's figures (no name: coordinators, evaluators,
funders), the balances of people and households (coordinators), the micro-networks and their
members, and the members of citizen groups."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from trama.accounts.models import Role
from trama.accounts.permissions import ProgrammeAccess, programme_view
from trama.core.forms import add_service_errors
from trama.exchange import listcolumns
from trama.exchange.listexport import list_export
from trama.mutualaid.forms_aid import CitizenFields, JoinedForm, NetworkForm
from trama.mutualaid.models import GroupMember, MicroNetwork, MicroNetworkMember
from trama.mutualaid.permissions import FIGURES_ROLES, VOLUNTEER_MANAGERS
from trama.mutualaid.selectors import timebank as selectors
from trama.mutualaid.services import aid as aid_services
from trama.mutualaid.services import timebank as services
from trama.mutualaid.views.common import page_of
from trama.network.models import CitizenGroup, CommunityPlace
from trama.people.permissions import visible_households

SEARCH_RESULTS = 20


@programme_view(*FIGURES_ROLES)
def figures(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    year = timezone.localdate().year
    return render(
        request,
        "mutualaid/figures.html",
        {
            "access": access,
            "all_time": selectors.figures(access.programme),
            "networks": selectors.network_summaries(access.programme),
            "year": year,
            "this_year": selectors.figures(access.programme, start=timezone.localdate().replace(month=1, day=1)),
        },
    )


@programme_view(Role.COORDINATOR)
def balances(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    accounts = selectors.account_balances(access.programme, query=query)
    export = list_export(
        request, access, name="banca-del-tempo", title=_("Balances"), rows=accounts, columns=listcolumns.BALANCES
    )
    if export is not None:
        return export
    page = page_of(request, accounts)
    return render(
        request,
        "mutualaid/balances.html",
        {
            "access": access,
            "page": page,
            "query": query,
            "query_string": urlencode({"q": query}),
            "ledger": selectors.ledger_totals(access.programme),
        },
    )


# --- Micro-networks ------------------------------------------------------------------------------


def _places(access: ProgrammeAccess) -> object:
    return CommunityPlace.objects.filter(programme=access.programme).order_by("name")


@programme_view(Role.COORDINATOR)
def network_list(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    form = NetworkForm(request.POST or None, places=_places(access))
    if request.method == "POST" and form.is_valid():
        try:
            network = services.network_create(actor=request.user, programme=access.programme, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The micro-network has been created: add its members."))
            return redirect(network.get_absolute_url())
    return render(
        request,
        "mutualaid/network_list.html",
        {"access": access, "networks": selectors.network_summaries(access.programme), "form": form},
    )


def _network(access: ProgrammeAccess, network_id: str) -> MicroNetwork:
    network = MicroNetwork.objects.filter(programme=access.programme, public_id=network_id).first()
    if network is None:
        raise Http404
    return network


@programme_view(Role.COORDINATOR)
def network_detail(request: HttpRequest, access: ProgrammeAccess, network_id: str) -> HttpResponse:
    network = _network(access, network_id)
    query = request.GET.get("q", "").strip()
    households = []
    if query:
        households = list(
            visible_households(request.user, access.programme)
            .filter(label__icontains=query)
            .exclude(time_account__network_memberships__network=network)
            .order_by("label")[:SEARCH_RESULTS]
        )
    return render(
        request,
        "mutualaid/network_detail.html",
        {
            "access": access,
            "network": network,
            "summary": selectors.network_summary(access.programme, network.public_id),
            "members": selectors.network_members(network),
            "query": query,
            "households": households,
            "citizen_form": CitizenFields(prefix="citizen"),
            "joined_form": JoinedForm(),
        },
    )


@require_POST
@programme_view(Role.COORDINATOR)
def network_add_household(request: HttpRequest, access: ProgrammeAccess, network_id: str) -> HttpResponse:
    network = _network(access, network_id)
    household = (
        visible_households(request.user, access.programme).filter(public_id=request.POST.get("household", "")).first()
    )
    if household is None:
        raise Http404
    joined = JoinedForm(request.POST)
    joined_on = joined.cleaned_data.get("joined_on") if joined.is_valid() else None
    try:
        services.network_add_member(actor=request.user, network=network, holder=household, joined_on=joined_on)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(name)s has joined the micro-network.") % {"name": household.label})
    return redirect(network.get_absolute_url())


@require_POST
@programme_view(Role.COORDINATOR)
def network_add_citizen(request: HttpRequest, access: ProgrammeAccess, network_id: str) -> HttpResponse:
    network = _network(access, network_id)
    form = CitizenFields(request.POST, prefix="citizen")
    joined = JoinedForm(request.POST)
    if form.is_valid() and joined.is_valid():
        try:
            with transaction.atomic():
                person = aid_services.citizen_contact(actor=request.user, programme=access.programme, **form.citizen())
                services.network_add_member(
                    actor=request.user, network=network, holder=person, joined_on=joined.cleaned_data["joined_on"]
                )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("%(name)s has joined the micro-network.") % {"name": person})
    else:
        messages.error(request, _("Give the citizen's name."))
    return redirect(network.get_absolute_url())


@programme_view(Role.COORDINATOR)
def network_member_remove(
    request: HttpRequest, access: ProgrammeAccess, network_id: str, member_id: str
) -> HttpResponse:
    network = _network(access, network_id)
    member = (
        MicroNetworkMember.objects.filter(network=network, public_id=member_id)
        .select_related("account__person", "account__household", "account__group")
        .first()
    )
    if member is None:
        raise Http404
    if request.method == "POST":
        services.network_remove_member(actor=request.user, member=member)
        messages.success(request, _("The member has left the micro-network."))
        return redirect(network.get_absolute_url())
    return render(
        request, "mutualaid/network_member_remove.html", {"access": access, "network": network, "member": member}
    )


# --- Members of citizen groups -------------------------------------------------------------------


@programme_view(*VOLUNTEER_MANAGERS)
def group_list(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    from django.db.models import Count, Q

    groups = (
        CitizenGroup.objects.filter(programme=access.programme)
        .annotate(member_count=Count("members", filter=Q(members__left_on__isnull=True)))
        .select_related("municipality")
        .order_by("name")
    )
    return render(request, "mutualaid/group_list.html", {"access": access, "page": page_of(request, groups),
                                                         "query_string": ""})  # fmt: skip


def _group(access: ProgrammeAccess, group_id: str) -> CitizenGroup:
    group = CitizenGroup.objects.filter(programme=access.programme, public_id=group_id).first()
    if group is None:
        raise Http404
    return group


@programme_view(*VOLUNTEER_MANAGERS)
def group_members(request: HttpRequest, access: ProgrammeAccess, group_id: str) -> HttpResponse:
    group = _group(access, group_id)
    form = CitizenFields(request.POST or None, prefix="citizen")
    joined = JoinedForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and joined.is_valid():
        try:
            with transaction.atomic():
                person = aid_services.citizen_contact(actor=request.user, programme=access.programme, **form.citizen())
                services.group_member_add(
                    actor=request.user, group=group, person=person, joined_on=joined.cleaned_data["joined_on"]
                )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s has joined the group.") % {"name": person})
            return redirect("mutualaid:group-members", slug=access.programme.slug, group_id=group.public_id)
    members = group.members.select_related("person").order_by("left_on", "person__last_name", "person__first_name")
    return render(
        request,
        "mutualaid/group_members.html",
        {"access": access, "group": group, "members": members, "form": form, "joined_form": joined},
    )


@programme_view(*VOLUNTEER_MANAGERS)
def group_member_leave(request: HttpRequest, access: ProgrammeAccess, group_id: str, member_id: str) -> HttpResponse:
    group = _group(access, group_id)
    member = (
        GroupMember.objects.filter(group=group, public_id=member_id, left_on__isnull=True)
        .select_related("person")
        .first()
    )
    if member is None:
        raise Http404
    if request.method == "POST":
        try:
            services.group_member_leave(actor=request.user, member=member)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("%(name)s has left the group.") % {"name": member.person})
        return redirect("mutualaid:group-members", slug=access.programme.slug, group_id=group.public_id)
    return render(request, "mutualaid/group_member_leave.html", {"access": access, "group": group, "member": member})
