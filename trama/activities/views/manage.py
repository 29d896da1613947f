"""Running activities: the list, an activity's page, creating and editing it with its schedule,
extra / moved / cancelled dates, registrations, and the programme's closures.

Coordinators and lab managers run activities (lab managers only their own, checked again in the
services); operators open an activity's page and register the people of the households they follow.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from trama.accounts.models import Role
from trama.accounts.permissions import ProgrammeAccess, programme_view
from trama.activities import selectors, services
from trama.activities.forms import (
    ActivityForm,
    CancelForm,
    ClosureForm,
    ContactRegistrationForm,
    HouseholdRegistrationForm,
    OccurrenceForm,
)
from trama.activities.models import Activity, Closure, Occurrence, Registration
from trama.activities.permissions import STAFF_ROLES, can_manage, get_activity_for_user, lab_organisations
from trama.core.concurrency import StaleVersionError
from trama.core.forms import add_service_errors
from trama.exchange import listcolumns
from trama.exchange.listexport import list_export
from trama.network.models import CitizenGroup, CommunityPlace, Organisation
from trama.people.models import Household, Person

PAGE_SIZE = 25
MANAGER_ROLES = (Role.COORDINATOR, Role.LAB_MANAGER)


def _stale() -> str:
    return _("Someone else changed this activity in the meantime: the form shows it as it is now.")


def _followed_people(user, programme):
    """People of the households whose case team the user is on: whom they may register."""
    return (
        Person.objects.filter(
            programme=programme,
            households__cases__team__user=user,
            erased_at__isnull=True,
            is_restricted=False,
        )
        .distinct()
        .order_by("last_name", "first_name")
    )


def _form(request: HttpRequest, access: ProgrammeAccess, activity: Activity | None) -> ActivityForm:
    programme = access.programme
    places = CommunityPlace.objects.filter(programme=programme).order_by("name")
    organisations = Organisation.objects.filter(partnerships__programme=programme).distinct().order_by("name")
    if not access.has_role(Role.COORDINATOR):
        own = lab_organisations(list(access.memberships))
        places = places.filter(managing_organisation__in=own)
    return ActivityForm(
        request.POST or None,
        instance=activity,
        action_lines=programme.action_lines.order_by("position", "name"),
        places=places,
        municipalities=programme.municipalities.order_by("name"),
        organisations=organisations,
        groups=CitizenGroup.objects.filter(programme=programme).order_by("name"),
    )


@programme_view(*STAFF_ROLES)
def activity_list(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    filters = {
        "query": request.GET.get("q", "").strip(),
        "kind": request.GET.get("kind", "") if request.GET.get("kind", "") in Activity.Kind.values else "",
        "status": request.GET.get("status", Activity.Status.ACTIVE),
    }
    if filters["status"] not in (*Activity.Status.values, ""):
        filters["status"] = Activity.Status.ACTIVE
    activities = selectors.activity_list(request.user, access.programme, **filters)
    export = list_export(
        request, access, name="attivita", title=_("Activities"), rows=activities, columns=listcolumns.ACTIVITIES
    )
    if export is not None:
        return export
    page = Paginator(activities, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "activities/activity_list.html",
        {
            "access": access,
            "page": page,
            **filters,
            "kinds": Activity.Kind.choices,
            "statuses": Activity.Status.choices,
            "query_string": urlencode({"q": filters["query"], "kind": filters["kind"], "status": filters["status"]}),
            "can_create": access.has_role(*MANAGER_ROLES),
        },
    )


@programme_view(*MANAGER_ROLES)
def activity_create(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    form = _form(request, access, None)
    if request.method == "POST" and form.is_valid():
        try:
            activity = services.activity_create(
                actor=request.user,
                programme=access.programme,
                fields=form.activity_fields(),
                organisers=list(form.cleaned_data["organisers"]),
                groups=list(form.cleaned_data["co_organising_groups"]),
            )
        except PermissionDenied:
            form.add_error(
                "place", _("You can only create activities at your organisation's places or organised by it.")
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            count = activity.occurrences.count()
            messages.success(request, _("The activity has been created with %(count)d dates.") % {"count": count})
            return redirect(activity.get_absolute_url())
    return render(request, "activities/activity_form.html", {"access": access, "form": form, "activity": None})


@programme_view(*MANAGER_ROLES)
def activity_edit(request: HttpRequest, access: ProgrammeAccess, activity_id: str) -> HttpResponse:
    activity = get_activity_for_user(request.user, access.programme, activity_id)
    if not can_manage(request.user, activity):
        raise PermissionDenied
    form = _form(request, access, activity)
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_update(
                actor=request.user,
                activity=activity,
                expected_version=form.cleaned_data["version"] or 0,
                fields=form.activity_fields(),
                organisers=list(form.cleaned_data["organisers"]),
                groups=list(form.cleaned_data["co_organising_groups"]),
            )
        except StaleVersionError:
            messages.error(request, _stale())
            return redirect("activities:edit", slug=access.programme.slug, activity_id=activity.public_id)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The activity has been saved."))
            return redirect(activity.get_absolute_url())
    return render(request, "activities/activity_form.html", {"access": access, "form": form, "activity": activity})


@programme_view(*STAFF_ROLES)
def activity_detail(request: HttpRequest, access: ProgrammeAccess, activity_id: str) -> HttpResponse:
    activity = get_activity_for_user(request.user, access.programme, activity_id)
    followed = _followed_people(request.user, access.programme)
    page = selectors.activity_page(request.user, activity, own_people=followed)
    context = {"access": access, "activity": activity, "page": page, "today": None}
    if page.can_manage:
        context["contact_form"] = ContactRegistrationForm(prefix="contact")
    if access.has_role(Role.OPERATOR, Role.COORDINATOR):
        context["household_form"] = HouseholdRegistrationForm(prefix="household", people=followed)
    return render(request, "activities/activity_detail.html", context)


# --- Registrations ------------------------------------------------------------------------------


def _guardian(form) -> services.Guardian | None:
    data = form.cleaned_data
    if not data.get("guardian_name"):
        return None
    return services.Guardian(
        name=data["guardian_name"], phone=data.get("guardian_phone", ""), consents=data.get("guardian_consents", False)
    )


def _registered_message(request: HttpRequest, registration: Registration) -> None:
    if registration.status == Registration.Status.WAITING:
        messages.warning(
            request, _("Every place is taken: %(name)s is on the waiting list.") % {"name": registration.person}
        )
    else:
        messages.success(request, _("%(name)s is registered.") % {"name": registration.person})


@programme_view(*STAFF_ROLES)
def registration_add(request: HttpRequest, access: ProgrammeAccess, activity_id: str, source: str) -> HttpResponse:
    """Register from a followed household (`source="case"`) or from the lab's contacts."""
    activity = get_activity_for_user(request.user, access.programme, activity_id)
    followed = _followed_people(request.user, access.programme)
    if source == "case":
        form = HouseholdRegistrationForm(request.POST or None, prefix="household", people=followed)
    else:
        if not can_manage(request.user, activity):
            raise PermissionDenied
        form = ContactRegistrationForm(request.POST or None, prefix="contact")
    if request.method == "POST" and form.is_valid():
        try:
            if source == "case":
                person = form.cleaned_data["person"]
                household = Household.objects.filter(cases__team__user=request.user, memberships__person=person).first()
                registration = services.registration_create(
                    actor=request.user, activity=activity, person=person, household=household,
                    source=Registration.Source.CASE, guardian=_guardian(form),
                )  # fmt: skip
            else:
                data = form.cleaned_data
                registration = services.contact_registration_create(
                    actor=request.user, activity=activity, first_name=data["first_name"], last_name=data["last_name"],
                    birth_date=data["birth_date"], gender=data["gender"], phone=data["phone"], guardian=_guardian(form),
                )  # fmt: skip
        except PermissionDenied:
            form.add_error(None, _("You cannot register this person for this activity."))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            _registered_message(request, registration)
            return redirect(activity.get_absolute_url())
    return render(
        request,
        "activities/registration_form.html",
        {"access": access, "activity": activity, "form": form, "source": source},
    )


@programme_view(*STAFF_ROLES)
def registration_cancel(request: HttpRequest, access: ProgrammeAccess, registration_id: str) -> HttpResponse:
    registration = (
        Registration.objects.select_related("activity__programme", "person", "household")
        .filter(activity__programme=access.programme, public_id=registration_id)
        .exclude(status=Registration.Status.CANCELLED)
        .first()
    )
    if registration is None:
        raise Http404
    activity = get_activity_for_user(request.user, access.programme, registration.activity.public_id)
    if (
        not can_manage(request.user, activity)
        and not _followed_people(request.user, access.programme).filter(pk=registration.person_id).exists()
    ):
        raise Http404
    if request.method == "POST":
        try:
            promoted = services.registration_cancel(actor=request.user, registration=registration)
        except PermissionDenied:
            raise Http404 from None
        messages.success(request, _("The registration of %(name)s has been cancelled.") % {"name": registration.person})
        for other in promoted:
            messages.info(request, _("%(name)s moves from the waiting list to a place.") % {"name": other.person})
        return redirect(activity.get_absolute_url())
    return render(
        request,
        "activities/registration_cancel.html",
        {"access": access, "activity": activity, "registration": registration},
    )


# --- Dates --------------------------------------------------------------------------------------


def _occurrence(request: HttpRequest, access: ProgrammeAccess, occurrence_id: str) -> Occurrence:
    occurrence = (
        Occurrence.objects.select_related("activity__programme", "activity__place")
        .filter(activity__programme=access.programme, public_id=occurrence_id)
        .first()
    )
    if occurrence is None or not can_manage(request.user, occurrence.activity):
        raise Http404
    return occurrence


def _occurrence_form(
    request: HttpRequest, access: ProgrammeAccess, activity: Activity, occurrence: Occurrence | None
) -> HttpResponse:
    """Add an extra date (`occurrence` None) or move one."""
    initial = {}
    if occurrence is not None:
        start, end = timezone.localtime(occurrence.starts_at), timezone.localtime(occurrence.ends_at)
        initial = {"day": start.date(), "start_time": start.time(), "end_time": end.time(), "note": occurrence.note}
    form = OccurrenceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        starts_at, ends_at = form.times()
        try:
            if occurrence is None:
                services.occurrence_add(actor=request.user, activity=activity, starts_at=starts_at, ends_at=ends_at)
            else:
                services.occurrence_move(
                    actor=request.user, occurrence=occurrence, starts_at=starts_at, ends_at=ends_at,
                    note=form.cleaned_data["note"],
                )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("The date has been added.") if occurrence is None else _("The date has been moved.")
            )
            return redirect(activity.get_absolute_url())
    return render(
        request,
        "activities/occurrence_form.html",
        {"access": access, "activity": activity, "form": form, "occurrence": occurrence},
    )


@programme_view(*MANAGER_ROLES)
def occurrence_add(request: HttpRequest, access: ProgrammeAccess, activity_id: str) -> HttpResponse:
    activity = get_activity_for_user(request.user, access.programme, activity_id)
    if not can_manage(request.user, activity):
        raise PermissionDenied
    return _occurrence_form(request, access, activity, None)


@programme_view(*MANAGER_ROLES)
def occurrence_move(request: HttpRequest, access: ProgrammeAccess, occurrence_id: str) -> HttpResponse:
    occurrence = _occurrence(request, access, occurrence_id)
    return _occurrence_form(request, access, occurrence.activity, occurrence)


@programme_view(*MANAGER_ROLES)
def occurrence_cancel(request: HttpRequest, access: ProgrammeAccess, occurrence_id: str) -> HttpResponse:
    occurrence = _occurrence(request, access, occurrence_id)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.occurrence_cancel(actor=request.user, occurrence=occurrence, note=form.cleaned_data["note"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The date has been cancelled; it stays on the calendar as cancelled."))
            return redirect(occurrence.activity.get_absolute_url())
    return render(
        request, "activities/occurrence_cancel.html", {"access": access, "occurrence": occurrence, "form": form}
    )


@programme_view(*MANAGER_ROLES)
def occurrence_restore(request: HttpRequest, access: ProgrammeAccess, occurrence_id: str) -> HttpResponse:
    occurrence = _occurrence(request, access, occurrence_id)
    if request.method != "POST":
        return redirect(occurrence.activity.get_absolute_url())
    services.occurrence_restore(actor=request.user, occurrence=occurrence)
    messages.success(request, _("The date has been restored."))
    return redirect(occurrence.activity.get_absolute_url())


# --- Closures -----------------------------------------------------------------------------------


@programme_view(Role.COORDINATOR)
def closure_list(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    form = ClosureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.closure_save(actor=request.user, programme=access.programme, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The closure has been saved; the dates it covers have been removed."))
            return redirect("activities:closures", slug=access.programme.slug)
    closures = Closure.objects.filter(programme=access.programme).order_by("-start_date")
    return render(request, "activities/closure_list.html", {"access": access, "form": form, "closures": closures})
