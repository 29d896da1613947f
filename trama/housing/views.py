"""Pages of the housing plan, under /area/<programme>/casa/. Thin views: access function → form →
service → redirect; every record is fetched through `permissions` (404 for missing and forbidden)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from trama.accounts.models import Membership, Role
from trama.accounts.permissions import ProgrammeAccess, programme_view
from trama.casework.models import Case
from trama.casework.permissions import visible_cases
from trama.core.forms import add_service_errors
from trama.core.money import euro
from trama.exchange import listcolumns
from trama.exchange.listexport import list_export
from trama.funding.models import FundingSource
from trama.housing import matching, selectors, services
from trama.housing.forms import (
    BuildingForm,
    CaretakerForm,
    CoHousingForm,
    DepositForm,
    DrawForm,
    DwellingForm,
    GuaranteeForm,
    LogEntryForm,
    SearchForm,
    TenancyForm,
)
from trama.housing.models import Dwelling, HousingSearch, LogEntry
from trama.housing.permissions import (
    get_building_for_user,
    get_cohousing_for_user,
    get_dwelling_for_user,
    get_search_for_user,
    get_tenancy_for_user,
    visible_buildings,
    visible_cohousings,
    visible_dwellings,
    visible_searches,
)
from trama.network.models import Organisation
from trama.people.models import Household

PAGE_SIZE = 25
PLAN = (Role.COORDINATOR, Role.OPERATOR)


def _page(request: HttpRequest, queryset: Any) -> Any:
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _network(access: ProgrammeAccess) -> Any:
    return Organisation.objects.filter(partnerships__programme=access.programme).distinct().order_by("name")


# --- Overview -------------------------------------------------------------------------------------


@programme_view(*PLAN)
def home(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    user, programme = request.user, access.programme
    figures = services.programme_fund_figures(programme.pk)
    return render(
        request,
        "housing/home.html",
        {
            "access": access,
            "figures": figures,
            "dwellings_available": visible_dwellings(user, programme).filter(status=Dwelling.Status.AVAILABLE).count(),
            "searches_open": visible_searches(user, programme).filter(status=HousingSearch.Status.OPEN).count(),
            "cohousings": visible_cohousings(user, programme).count(),
            "buildings": visible_buildings(user, programme).count(),
        },
    )


# --- Dwellings ------------------------------------------------------------------------------------


@programme_view(*PLAN)
def dwelling_list(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    status = request.GET.get("status", "")
    filters = selectors.DwellingFilters(
        query=request.GET.get("q", "").strip()[:100],
        municipality=request.GET.get("municipality", "")[:6],
        status=status if status in Dwelling.Status.values else "",
        capped=request.GET.get("capped") == "1",
        step_free=request.GET.get("step_free") == "1",
    )
    dwellings = selectors.dwelling_list(request.user, access.programme, filters)
    export = list_export(
        request, access, name="alloggi", title=_("Dwellings"), rows=dwellings, columns=listcolumns.DWELLINGS
    )
    if export is not None:
        return export
    page = _page(request, dwellings)
    query_string = urlencode(
        {
            "q": filters.query,
            "municipality": filters.municipality,
            "status": filters.status,
            "capped": "1" if filters.capped else "",
            "step_free": "1" if filters.step_free else "",
        }
    )
    return render(
        request,
        "housing/dwelling_list.html",
        {
            "access": access,
            "page": page,
            "filters": filters,
            "statuses": Dwelling.Status.choices,
            "municipalities": access.programme.municipalities.order_by("name"),
            "query_string": query_string,
        },
    )


@programme_view(*PLAN)
def dwelling_create(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    kwargs = {"municipalities": access.programme.municipalities.order_by("name"), "organisations": _network(access)}
    form = DwellingForm(request.POST or None, **kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            dwelling = services.dwelling_create(
                actor=request.user, programme=access.programme, fields=form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Dwelling recorded."))
            return redirect(dwelling.get_absolute_url())
    return render(request, "housing/dwelling_form.html", {"access": access, "form": form})


@programme_view(*PLAN)
def dwelling_detail(request: HttpRequest, access: ProgrammeAccess, dwelling_id: UUID) -> HttpResponse:
    dwelling = get_dwelling_for_user(request.user, access.programme, dwelling_id)
    ranked = []
    if dwelling.status == Dwelling.Status.AVAILABLE:
        ranked = matching.searches_for(dwelling, visible_searches(request.user, access.programme))
    tenancies = dwelling.tenancies.filter(search__in=visible_searches(request.user, access.programme))
    return render(
        request,
        "housing/dwelling_detail.html",
        {
            "access": access,
            "dwelling": dwelling,
            "ranked": ranked,
            "tenancies": tenancies.select_related("search__household", "programme"),
        },
    )


@require_POST
@programme_view(*PLAN)
def dwelling_status(request: HttpRequest, access: ProgrammeAccess, dwelling_id: UUID) -> HttpResponse:
    dwelling = get_dwelling_for_user(request.user, access.programme, dwelling_id)
    try:
        services.dwelling_set_status(actor=request.user, dwelling=dwelling, status=request.POST.get("status", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Status updated."))
    return redirect(dwelling.get_absolute_url())


# --- Households looking for a home ----------------------------------------------------------------


@programme_view(*PLAN)
def search_list(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    status = request.GET.get("status", "")
    filters = selectors.SearchFilters(
        query=request.GET.get("q", "").strip()[:100], status=status if status in HousingSearch.Status.values else ""
    )
    searches = selectors.search_list(request.user, access.programme, filters)
    export = list_export(
        request,
        access,
        name="ricerche-casa",
        title=_("Households looking for a home"),
        rows=searches,
        columns=listcolumns.HOUSING_SEARCHES,
    )
    if export is not None:
        return export
    page = _page(request, searches)
    return render(
        request,
        "housing/search_list.html",
        {
            "access": access,
            "page": page,
            "filters": filters,
            "statuses": HousingSearch.Status.choices,
            "query_string": urlencode({"q": filters.query, "status": filters.status}),
        },
    )


def _open_cases(request: HttpRequest, access: ProgrammeAccess) -> Any:
    searching = HousingSearch.objects.filter(status=HousingSearch.Status.OPEN).values("household_id")
    return (
        visible_cases(request.user, access.programme)
        .filter(status=Case.Status.OPEN)
        .exclude(household_id__in=searching)
        .select_related("household")
        .order_by("household__label")
    )


@programme_view(*PLAN)
def search_create(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    form = SearchForm(
        request.POST or None,
        cases=_open_cases(request, access),
        municipalities=access.programme.municipalities.order_by("name"),
        initial={"case": request.GET.get("case"), "needed_from": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            search = services.search_create(
                actor=request.user,
                case=data["case"],
                rooms_needed=data["rooms_needed"],
                max_rent=data["max_rent"],
                needed_from=data["needed_from"],
                needs_step_free=data["needs_step_free"],
                municipalities=list(data["municipalities"]),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The household's search is recorded."))
            return redirect(search.get_absolute_url())
    return render(request, "housing/search_form.html", {"access": access, "form": form})


@programme_view(*PLAN)
def search_detail(request: HttpRequest, access: ProgrammeAccess, search_id: UUID) -> HttpResponse:
    search = get_search_for_user(request.user, access.programme, search_id)
    ranked = matching.dwellings_for(search) if search.status == HousingSearch.Status.OPEN else []
    return render(
        request,
        "housing/search_detail.html",
        {
            "access": access,
            "search": search,
            "ranked": ranked,
            "tenancies": selectors.search_tenancies(search),
        },
    )


@programme_view(*PLAN)
def tenancy_create(request: HttpRequest, access: ProgrammeAccess, search_id: UUID, dwelling_id: UUID) -> HttpResponse:
    search = get_search_for_user(request.user, access.programme, search_id)
    dwelling = get_dwelling_for_user(request.user, access.programme, dwelling_id)
    initial = {"monthly_rent": dwelling.monthly_rent, "starts_on": max(dwelling.available_from, search.needed_from)}
    form = TenancyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            tenancy = services.tenancy_create(
                actor=request.user,
                search=search,
                dwelling=dwelling,
                starts_on=form.cleaned_data["starts_on"],
                monthly_rent=form.cleaned_data["monthly_rent"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The household is housed: the dwelling is now let."))
            return redirect(tenancy.get_absolute_url())
    return render(
        request,
        "housing/tenancy_form.html",
        {
            "access": access,
            "search": search,
            "dwelling": dwelling,
            "form": form,
        },
    )


def _tenancy_page(request: HttpRequest, access: ProgrammeAccess, tenancy: Any, **forms: Any) -> HttpResponse:
    guarantees = selectors.tenancy_guarantees(tenancy)
    figures = services.programme_fund_figures(access.programme.pk)
    return render(
        request,
        "housing/tenancy_detail.html",
        {
            "access": access,
            "tenancy": tenancy,
            "guarantees": guarantees,
            "draws": selectors.tenancy_draws(tenancy),
            "figures": figures,
            "guarantee_form": forms.get("guarantee_form")
            or GuaranteeForm(initial={"starts_on": tenancy.starts_on, "months": 12}),
            "draw_form": forms.get("draw_form") or DrawForm(guarantees=guarantees),
        },
    )


@programme_view(*PLAN)
def tenancy_detail(request: HttpRequest, access: ProgrammeAccess, tenancy_id: UUID) -> HttpResponse:
    tenancy = get_tenancy_for_user(request.user, access.programme, tenancy_id)
    return _tenancy_page(request, access, tenancy)


@require_POST
@programme_view(*PLAN)
def guarantee_create(request: HttpRequest, access: ProgrammeAccess, tenancy_id: UUID) -> HttpResponse:
    tenancy = get_tenancy_for_user(request.user, access.programme, tenancy_id)
    form = GuaranteeForm(request.POST)
    if form.is_valid():
        try:
            services.guarantee_grant(actor=request.user, tenancy=tenancy, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Guarantee granted."))
            return redirect(tenancy.get_absolute_url())
    return _tenancy_page(request, access, tenancy, guarantee_form=form)


@require_POST
@programme_view(*PLAN)
def draw_create(request: HttpRequest, access: ProgrammeAccess, tenancy_id: UUID) -> HttpResponse:
    tenancy = get_tenancy_for_user(request.user, access.programme, tenancy_id)
    form = DrawForm(request.POST, guarantees=tenancy.guarantees.all())
    if form.is_valid():
        try:
            services.guarantee_draw(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Draw recorded."))
            return redirect(tenancy.get_absolute_url())
    return _tenancy_page(request, access, tenancy, draw_form=form)


# --- The fund -------------------------------------------------------------------------------------


def _fund_page(request: HttpRequest, access: ProgrammeAccess, form: DepositForm | None = None) -> HttpResponse:
    programme = access.programme
    coordinator = access.has_role(Role.COORDINATOR)
    sources = FundingSource.objects.filter(programme=programme).order_by("position", "name")
    return render(
        request,
        "housing/fund.html",
        {
            "access": access,
            "figures": services.programme_fund_figures(programme.pk),
            "deposits": selectors.fund_deposits(programme)[:50] if coordinator else [],
            "guarantees": _page(request, selectors.fund_guarantees(request.user, programme)),
            "form": (form or DepositForm(sources=sources)) if coordinator else None,
            "query_string": "",
        },
    )


@programme_view(*PLAN)
def fund(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    return _fund_page(request, access)


@require_POST
@programme_view(Role.COORDINATOR)
def deposit_create(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    sources = FundingSource.objects.filter(programme=access.programme)
    form = DepositForm(request.POST, sources=sources)
    if form.is_valid():
        try:
            deposit = services.fund_deposit(actor=request.user, programme=access.programme, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Deposit of %(amount)s recorded.") % {"amount": euro(deposit.amount)})
            return redirect("housing:fund", slug=access.programme.slug)
    return _fund_page(request, access, form)


# --- Solidarity co-housing ------------------------------------------------------------------------


@programme_view(*PLAN)
def cohousing_list(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    cohousings = selectors.cohousing_list(request.user, access.programme, query)
    export = list_export(
        request,
        access,
        name="coabitazioni",
        title=_("Solidarity co-housing"),
        rows=cohousings,
        columns=listcolumns.COHOUSINGS,
    )
    if export is not None:
        return export
    page = _page(request, cohousings)
    return render(
        request,
        "housing/cohousing_list.html",
        {
            "access": access,
            "page": page,
            "query": query,
            "query_string": urlencode({"q": query}),
        },
    )


@programme_view(*PLAN)
def cohousing_create(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    households = (
        Household.objects.filter(
            cases__in=visible_cases(request.user, access.programme).filter(status=Case.Status.OPEN)
        )
        .distinct()
        .order_by("label")
    )
    dwellings = visible_dwellings(request.user, access.programme).select_related("municipality")
    form = CoHousingForm(request.POST or None, request.FILES or None, dwellings=dwellings, households=households)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            cohousing = services.cohousing_create(
                actor=request.user,
                programme=access.programme,
                dwelling=data["dwelling"],
                title=data["title"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                terms=data["terms"],
                households=list(data["households"]),
                agreement=data["agreement"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Co-housing recorded."))
            return redirect(cohousing.get_absolute_url())
    return render(request, "housing/cohousing_form.html", {"access": access, "form": form})


@programme_view(*PLAN)
def cohousing_detail(request: HttpRequest, access: ProgrammeAccess, cohousing_id: UUID) -> HttpResponse:
    cohousing = get_cohousing_for_user(request.user, access.programme, cohousing_id)
    seen = set(visible_cases(request.user, access.programme).values_list("household_id", flat=True))
    members = [
        {"label": m.household.label if m.household_id in seen else None, "joined_on": m.joined_on}
        for m in cohousing.members.select_related("household").order_by("joined_on", "pk")
    ]
    return render(
        request,
        "housing/cohousing_detail.html",
        {
            "access": access,
            "cohousing": cohousing,
            "members": members,
        },
    )


@programme_view(*PLAN)
def cohousing_agreement(request: HttpRequest, access: ProgrammeAccess, cohousing_id: UUID) -> HttpResponse:
    cohousing = get_cohousing_for_user(request.user, access.programme, cohousing_id)
    if not cohousing.agreement:
        raise Http404
    extension = cohousing.agreement.name.rsplit(".", 1)[-1].lower()
    return FileResponse(
        cohousing.agreement.open("rb"), as_attachment=True, filename=f"accordo-{cohousing.public_id}.{extension}"
    )


# --- The social caretaker -------------------------------------------------------------------------


@programme_view(*PLAN)
def building_list(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    buildings = selectors.building_list(request.user, access.programme, query)
    export = list_export(
        request,
        access,
        name="custode-sociale",
        title=_("Buildings and estates"),
        rows=buildings,
        columns=listcolumns.BUILDINGS,
    )
    if export is not None:
        return export
    page = _page(request, buildings)
    return render(
        request,
        "housing/building_list.html",
        {
            "access": access,
            "page": page,
            "query": query,
            "query_string": urlencode({"q": query}),
        },
    )


@programme_view(Role.COORDINATOR)
def building_create(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    form = BuildingForm(request.POST or None, municipalities=access.programme.municipalities.order_by("name"))
    if request.method == "POST" and form.is_valid():
        try:
            building = services.building_create(actor=request.user, programme=access.programme, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Building recorded: now add its caretakers."))
            return redirect(building.get_absolute_url())
    return render(request, "housing/building_form.html", {"access": access, "form": form})


def _operators(access: ProgrammeAccess) -> Any:
    return (
        Membership.objects.active()
        .filter(programme=access.programme, role=Role.OPERATOR)
        .select_related("user", "organisation")
        .order_by("user__full_name", "pk")
    )


def _building_page(request: HttpRequest, access: ProgrammeAccess, building: Any, **forms: Any) -> HttpResponse:
    kind = request.GET.get("kind", "")
    kind = kind if kind in LogEntry.Kind.values else ""
    coordinator = access.has_role(Role.COORDINATOR)
    entries = building.log.order_by("-occurred_on", "-pk")
    return render(
        request,
        "housing/building_detail.html",
        {
            "access": access,
            "building": building,
            "kind": kind,
            "kinds": LogEntry.Kind.choices,
            "team": building.team.select_related("user", "organisation").order_by("user__full_name"),
            "page": _page(request, selectors.building_log(building, kind)),
            "query_string": urlencode({"kind": kind}),
            "open_issues": services.open_issues(building).count(),
            "entry_form": forms.get("entry_form") or LogEntryForm(entries=entries, organisations=_network(access)),
            "caretaker_form": (forms.get("caretaker_form") or CaretakerForm(members=_operators(access)))
            if coordinator
            else None,
        },
    )


@programme_view(*PLAN)
def building_detail(request: HttpRequest, access: ProgrammeAccess, building_id: UUID) -> HttpResponse:
    building = get_building_for_user(request.user, access.programme, building_id)
    return _building_page(request, access, building)


@require_POST
@programme_view(*PLAN)
def log_entry_create(request: HttpRequest, access: ProgrammeAccess, building_id: UUID) -> HttpResponse:
    building = get_building_for_user(request.user, access.programme, building_id)
    form = LogEntryForm(request.POST, entries=building.log.all(), organisations=_network(access))
    if form.is_valid():
        try:
            services.log_entry_create(actor=request.user, building=building, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Logbook entry recorded."))
            return redirect(building.get_absolute_url())
    return _building_page(request, access, building, entry_form=form)


@require_POST
@programme_view(Role.COORDINATOR)
def caretaker_add(request: HttpRequest, access: ProgrammeAccess, building_id: UUID) -> HttpResponse:
    building = get_building_for_user(request.user, access.programme, building_id)
    form = CaretakerForm(request.POST, members=_operators(access))
    if form.is_valid():
        try:
            services.caretaker_add(actor=request.user, building=building, member=form.cleaned_data["member"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Caretaker added to the team."))
            return redirect(building.get_absolute_url())
    return _building_page(request, access, building, caretaker_form=form)


@require_POST
@programme_view(Role.COORDINATOR)
def caretaker_remove(
    request: HttpRequest, access: ProgrammeAccess, building_id: UUID, caretaker_id: UUID
) -> HttpResponse:
    building = get_building_for_user(request.user, access.programme, building_id)
    caretaker = building.team.filter(public_id=caretaker_id).first()
    if caretaker is None:
        raise Http404
    services.caretaker_remove(actor=request.user, caretaker=caretaker)
    messages.success(request, _("Caretaker removed from the team."))
    return redirect(building.get_absolute_url())
