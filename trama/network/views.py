from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trama.accounts.models import Role
from trama.accounts.permissions import ProgrammeAccess, programme_view
from trama.core.concurrency import StaleVersionError
from trama.core.forms import add_service_errors
from trama.exchange import listcolumns
from trama.exchange.listexport import list_export
from trama.network import services
from trama.network.forms import GroupForm, OpeningHoursFormSet, OrganisationForm, PlaceForm
from trama.network.models import CitizenGroup, CommunityPlace, OpeningHours, Partnership
from trama.network.selectors import (
    download_counts,
    get_place_for_user,
    groups_for,
    partnership_counts_by_kind,
    places_for,
    programme_organisations,
    programme_partnerships,
)

PAGE_SIZE = 25
STALE = gettext_lazy(
    "Someone else saved this record while you were editing it. Their version is shown: apply your changes again."
)


def _tiles() -> dict[str, str]:
    return {"tile_url": settings.TRAMA_MAP_TILE_URL, "tile_attribution": settings.TRAMA_MAP_TILE_ATTRIBUTION}


# --- Organisations and partnership (coordinators) ---------------------------------------------


@programme_view(Role.COORDINATOR)
def network_overview(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    partnerships = programme_partnerships(access.programme)
    query = request.GET.get("q", "").strip()
    role = request.GET.get("role", "")
    if query:
        partnerships = partnerships.filter(organisation__name__icontains=query)
    if role in Partnership.Role.values:
        partnerships = partnerships.filter(role=role)
    export = list_export(
        request, access, name="organizzazioni", title=_("Organisations"), rows=partnerships,
        columns=listcolumns.PARTNERSHIPS,
    )  # fmt: skip
    if export is not None:
        return export
    page = Paginator(partnerships, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "network/network_overview.html",
        {
            "access": access,
            "page": page,
            "query": query,
            "role": role,
            "roles": Partnership.Role.choices,
            "counts": _counts_table(access),
            "downloads": download_counts(access.programme),
        },
    )


def _counts_table(access: ProgrammeAccess) -> list[tuple[str, list[tuple[str, int]]]]:
    from trama.network.models import Organisation

    kinds = dict(Organisation.Kind.choices)
    table: dict[str, list[tuple[str, int]]] = {}
    for row in partnership_counts_by_kind(access.programme):
        table.setdefault(row["role"], []).append((kinds[row["organisation__kind"]], row["count"]))
    return [(Partnership.Role(role).label, rows) for role, rows in table.items()]


@programme_view(Role.COORDINATOR)
def organisation_edit(
    request: HttpRequest, access: ProgrammeAccess, organisation_id: str | None = None
) -> HttpResponse:
    partnership = None
    if organisation_id:
        partnership = programme_partnerships(access.programme).filter(organisation__public_id=organisation_id).first()
        if partnership is None:
            raise Http404
    initial = (
        {"role": partnership.role, "start_date": partnership.start_date, "end_date": partnership.end_date,
         "cofinancing": partnership.cofinancing}
        if partnership else {"role": Partnership.Role.SUPPORTER}
    )  # fmt: skip
    form = OrganisationForm(
        request.POST or None,
        instance=partnership.organisation if partnership else None,
        initial=initial,
        municipalities=access.programme.municipalities.order_by("name"),
    )
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.organisation_save(
                actor=request.user,
                programme=access.programme,
                fields=form.organisation_fields(),
                organisation=partnership.organisation if partnership else None,
            )
            services.partnership_set(
                actor=request.user, programme=access.programme, organisation=organisation, **form.partnership_fields()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The organisation has been saved."))
            return redirect("network:overview", slug=access.programme.slug)
    return render(
        request, "network/organisation_form.html", {"access": access, "form": form, "partnership": partnership}
    )


@programme_view(Role.COORDINATOR)
def partnership_remove(request: HttpRequest, access: ProgrammeAccess, organisation_id: str) -> HttpResponse:
    partnership = programme_partnerships(access.programme).filter(organisation__public_id=organisation_id).first()
    if partnership is None:
        raise Http404
    if request.method == "POST":
        try:
            services.partnership_remove(actor=request.user, partnership=partnership)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The organisation is no longer part of the programme's network."))
        return redirect("network:overview", slug=access.programme.slug)
    return render(request, "network/partnership_remove.html", {"access": access, "partnership": partnership})


# --- Places (coordinators; lab managers for their own) ----------------------------------------


@programme_view(Role.COORDINATOR, Role.LAB_MANAGER)
def place_list(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    if kind not in CommunityPlace.Kind.values:
        kind = ""
    places = places_for(access, query=query, kind=kind)
    export = list_export(request, access, name="luoghi", title=_("Places"), rows=places, columns=listcolumns.PLACES)
    if export is not None:
        return export
    page = Paginator(places, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "network/place_list.html",
        {"access": access, "page": page, "query": query, "kind": kind, "kinds": CommunityPlace.Kind.choices},
    )


def _place_form(request: HttpRequest, access: ProgrammeAccess, place: CommunityPlace | None) -> PlaceForm:
    organisations = programme_organisations(access.programme)
    if not access.has_role(Role.COORDINATOR):
        organisations = organisations.filter(
            pk__in=[m.organisation_id for m in access.memberships if m.role == Role.LAB_MANAGER]
        )
    return PlaceForm(
        request.POST or None,
        request.FILES or None,
        instance=place,
        municipalities=access.programme.municipalities.order_by("name"),
        organisations=organisations,
    )


@programme_view(Role.COORDINATOR)
def place_create(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    form = _place_form(request, access, None)
    if request.method == "POST" and form.is_valid():
        try:
            place = services.place_save(
                actor=request.user,
                programme=access.programme,
                fields=form.place_fields(),
                services=list(form.cleaned_data["services"]),
                photo=form.cleaned_data.get("photo_upload"),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The place has been saved. Now set its opening hours."))
            return redirect("network:place-hours", slug=access.programme.slug, place_id=place.public_id)
    return render(request, "network/place_form.html", {"access": access, "form": form, "place": None, **_tiles()})


@programme_view(Role.COORDINATOR, Role.LAB_MANAGER)
def place_edit(request: HttpRequest, access: ProgrammeAccess, place_id: str) -> HttpResponse:
    place = get_place_for_user(access, place_id)
    form = _place_form(request, access, place)
    if request.method == "POST" and form.is_valid():
        try:
            services.place_save(
                actor=request.user,
                programme=access.programme,
                place=place,
                expected_version=form.cleaned_data["version"],
                fields=form.place_fields(),
                services=list(form.cleaned_data["services"]),
                photo=form.cleaned_data.get("photo_upload"),
            )
        except StaleVersionError:
            messages.error(request, STALE)
            return redirect("network:place-edit", slug=access.programme.slug, place_id=place.public_id)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The place has been saved."))
            return redirect("network:place-list", slug=access.programme.slug)
    return render(request, "network/place_form.html", {"access": access, "form": form, "place": place, **_tiles()})


@programme_view(Role.COORDINATOR, Role.LAB_MANAGER)
def place_hours(request: HttpRequest, access: ProgrammeAccess, place_id: str) -> HttpResponse:
    place = get_place_for_user(access, place_id)
    formset = OpeningHoursFormSet(
        request.POST or None, queryset=OpeningHours.objects.filter(place=place).order_by("weekday", "opens_at")
    )
    if request.method == "POST" and formset.is_valid():
        # Untouched empty rows have no cleaned data; rows ticked for deletion are dropped.
        slots = [
            {key: form.cleaned_data[key] for key in ("weekday", "opens_at", "closes_at", "note")}
            for form in formset.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        services.place_set_opening_hours(actor=request.user, place=place, slots=slots)
        messages.success(request, _("The opening hours have been saved."))
        return redirect("network:place-list", slug=access.programme.slug)
    return render(request, "network/place_hours.html", {"access": access, "place": place, "formset": formset})


@programme_view(Role.COORDINATOR)
def place_delete(request: HttpRequest, access: ProgrammeAccess, place_id: str) -> HttpResponse:
    place = get_place_for_user(access, place_id)
    if request.method == "POST":
        services.place_delete(actor=request.user, place=place)
        messages.success(request, _("The place has been deleted."))
        return redirect("network:place-list", slug=access.programme.slug)
    return render(request, "network/place_delete.html", {"access": access, "place": place})


@programme_view(Role.COORDINATOR, Role.LAB_MANAGER)
def place_photo(request: HttpRequest, access: ProgrammeAccess, place_id: str) -> HttpResponse:
    """The photo, through an authenticated view (S20), never from a public media URL."""
    place = get_place_for_user(access, place_id)
    if not place.photo:
        raise Http404
    return FileResponse(place.photo.open("rb"), as_attachment=False, filename=place.photo.name.rsplit("/", 1)[-1])


# --- Citizen groups (coordinators) -----------------------------------------------------------


@programme_view(Role.COORDINATOR)
def group_list(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    groups = groups_for(access, query=query)
    export = list_export(
        request, access, name="gruppi", title=_("Citizen groups"), rows=groups, columns=listcolumns.GROUPS
    )
    if export is not None:
        return export
    page = Paginator(groups, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "network/group_list.html", {"access": access, "page": page, "query": query})


def _group(access: ProgrammeAccess, group_id: str) -> CitizenGroup:
    group = groups_for(access).filter(public_id=group_id).first()
    if group is None:
        raise Http404
    return group


@programme_view(Role.COORDINATOR)
def group_edit(request: HttpRequest, access: ProgrammeAccess, group_id: str | None = None) -> HttpResponse:
    group = _group(access, group_id) if group_id else None
    form = GroupForm(
        request.POST or None, instance=group, municipalities=access.programme.municipalities.order_by("name")
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.group_save(
                actor=request.user,
                programme=access.programme,
                group=group,
                expected_version=form.cleaned_data["version"],
                fields=form.group_fields(),
                themes=list(form.cleaned_data["themes"]),
            )
        except StaleVersionError:
            messages.error(request, STALE)
            return redirect("network:group-edit", slug=access.programme.slug, group_id=group_id)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The group has been saved."))
            return redirect("network:group-list", slug=access.programme.slug)
    return render(request, "network/group_form.html", {"access": access, "form": form, "group": group})


@programme_view(Role.COORDINATOR)
def group_delete(request: HttpRequest, access: ProgrammeAccess, group_id: str) -> HttpResponse:
    group = _group(access, group_id)
    if request.method == "POST":
        services.group_delete(actor=request.user, group=group)
        messages.success(request, _("The group has been deleted."))
        return redirect("network:group-list", slug=access.programme.slug)
    return render(request, "network/group_delete.html", {"access": access, "group": group})
