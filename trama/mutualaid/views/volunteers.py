"""Volunteers for coordinators and lab managers: the list, a volunteer's page, the decision on an
application, training and insurance, the hours to confirm, and the shifts at activities."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from trama.accounts.models import Role
from trama.accounts.permissions import ProgrammeAccess, programme_view
from trama.activities.models import Activity
from trama.activities.permissions import managed_activities
from trama.core.concurrency import StaleVersionError
from trama.core.forms import add_service_errors
from trama.exchange import listcolumns
from trama.exchange.listexport import list_export
from trama.mutualaid.forms import ApproveForm, ReasonForm, ShiftsForm, TrainingForm, VolunteerStaffForm, slot_formset
from trama.mutualaid.models import Volunteer
from trama.mutualaid.permissions import VOLUNTEER_MANAGERS, get_volunteer_for_user
from trama.mutualaid.selectors import volunteers as selectors
from trama.mutualaid.services import shifts as shift_services
from trama.mutualaid.services import volunteers as services
from trama.mutualaid.views.common import choice, page_of, uuid_text
from trama.network.models import CommunityPlace, Organisation


def _stale(request: HttpRequest) -> None:
    messages.error(request, _("Someone else changed this volunteer in the meantime: the page shows it as it is now."))


def _count_rows(counts: dict[str, int]) -> list[tuple[str, str, int]]:
    return [(value, label, counts[value]) for value, label in Volunteer.Status.choices]


@programme_view(*VOLUNTEER_MANAGERS)
def volunteer_list(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    filters = selectors.VolunteerFilters(
        query=request.GET.get("q", "").strip(),
        status=choice(request, "status", Volunteer.Status.values),
        organisation=uuid_text(request.GET.get("organisation", "")),
    )
    volunteers = selectors.volunteer_list(request.user, access.programme, filters)
    export = list_export(
        request, access, name="volontari", title=_("Volunteers"), rows=volunteers, columns=listcolumns.VOLUNTEERS
    )
    if export is not None:
        return export
    page = page_of(request, volunteers)
    return render(
        request,
        "mutualaid/volunteer_list.html",
        {
            "access": access,
            "page": page,
            "filters": filters,
            "statuses": Volunteer.Status.choices,
            "counts": _count_rows(selectors.status_counts(request.user, access.programme)),
            "organisations": Organisation.objects.filter(partnerships__programme=access.programme).order_by("name"),
            "query_string": urlencode(
                {"q": filters.query, "status": filters.status, "organisation": filters.organisation}
            ),
            "pending_hours": selectors.hours_to_review(request.user, access.programme).count(),
        },
    )


@programme_view(Role.COORDINATOR)
def volunteer_create(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    form = VolunteerStaffForm(data, municipalities=access.programme.municipalities.order_by("name"))
    slots = slot_formset(data)
    if request.method == "POST" and form.is_valid() and slots.is_valid():
        try:
            volunteer = services.volunteer_create(
                actor=request.user, programme=access.programme, applicant=form.applicant(), profile=form.profile(),
                slots=slots.slots(),
            )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The volunteer has been recorded: approve them to give them their account."))
            return redirect(volunteer.get_absolute_url())
    return render(request, "mutualaid/volunteer_form.html", {"access": access, "form": form, "slots": slots})


@programme_view(*VOLUNTEER_MANAGERS)
def volunteer_detail(request: HttpRequest, access: ProgrammeAccess, volunteer_id: str) -> HttpResponse:
    volunteer = get_volunteer_for_user(request.user, access.programme, volunteer_id, request=request)
    year_start = timezone.localdate().replace(month=1, day=1)
    return render(
        request,
        "mutualaid/volunteer_detail.html",
        {
            "access": access,
            "volunteer": volunteer,
            "slots": volunteer.availability.order_by("weekday", "start_minute"),
            "municipalities": volunteer.municipalities.order_by("name"),
            "hours": selectors.volunteer_hours(volunteer),
            "hours_this_year": selectors.volunteer_hours(volunteer, start=year_start),
            "logs": selectors.hour_logs(volunteer)[:20],
            "signups": selectors.my_signups(volunteer),
            "offers": volunteer.offers.order_by("category"),
            "duplicates": services.volunteer_duplicates(volunteer)
            if volunteer.status == Volunteer.Status.APPLIED and access.has_role(Role.COORDINATOR)
            else [],
        },
    )


@programme_view(Role.COORDINATOR)
def volunteer_approve(request: HttpRequest, access: ProgrammeAccess, volunteer_id: str) -> HttpResponse:
    volunteer = get_volunteer_for_user(request.user, access.programme, volunteer_id, request=request)
    if volunteer.status == Volunteer.Status.APPROVED:
        return redirect(volunteer.get_absolute_url())
    form = ApproveForm(
        request.POST or None,
        initial={"version": volunteer.version},
        organisations=Organisation.objects.filter(partnerships__programme=access.programme).order_by("name"),
        places=CommunityPlace.objects.filter(programme=access.programme).order_by("name"),
        duplicates=services.volunteer_duplicates(volunteer),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.volunteer_approve(
                actor=request.user, volunteer=volunteer, expected_version=form.cleaned_data["version"],
                organisation=form.cleaned_data["organisation"], place=form.cleaned_data["place"],
                training=form.training(), same_person=form.cleaned_data.get("same_person"), request=request,
            )  # fmt: skip
        except StaleVersionError:
            _stale(request)
            return redirect(volunteer.get_absolute_url())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The volunteer has been approved."))
            return redirect(volunteer.get_absolute_url())
    return render(request, "mutualaid/volunteer_approve.html", {"access": access, "volunteer": volunteer, "form": form})


@programme_view(Role.COORDINATOR)
def volunteer_reject(request: HttpRequest, access: ProgrammeAccess, volunteer_id: str) -> HttpResponse:
    volunteer = get_volunteer_for_user(request.user, access.programme, volunteer_id, request=request)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.volunteer_reject(actor=request.user, volunteer=volunteer, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The application has been declined."))
            return redirect("mutualaid:volunteer-list", slug=access.programme.slug)
    return render(request, "mutualaid/volunteer_reject.html", {"access": access, "volunteer": volunteer, "form": form})


@programme_view(*VOLUNTEER_MANAGERS)
def volunteer_training(request: HttpRequest, access: ProgrammeAccess, volunteer_id: str) -> HttpResponse:
    volunteer = get_volunteer_for_user(request.user, access.programme, volunteer_id, request=request)
    initial = {name: getattr(volunteer, name) for name in services.TRAINING_FIELDS} | {"version": volunteer.version}
    form = TrainingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.volunteer_record_training(
                actor=request.user, volunteer=volunteer, expected_version=form.cleaned_data["version"],
                training=form.training(),
            )  # fmt: skip
        except StaleVersionError:
            _stale(request)
            return redirect(volunteer.get_absolute_url())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Training and insurance have been saved."))
            return redirect(volunteer.get_absolute_url())
    return render(
        request, "mutualaid/volunteer_training.html", {"access": access, "volunteer": volunteer, "form": form}
    )


# --- Hours to confirm -----------------------------------------------------------------------------


@programme_view(*VOLUNTEER_MANAGERS)
def hours_review(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    logs = selectors.hours_to_review(request.user, access.programme)
    export = list_export(
        request,
        access,
        name="ore-da-confermare",
        title=_("Hours to confirm"),
        rows=logs,
        columns=listcolumns.HOURS_TO_CONFIRM,
    )
    if export is not None:
        return export
    page = page_of(request, logs)
    return render(request, "mutualaid/hours_review.html", {"access": access, "page": page, "query_string": ""})


@require_POST
@programme_view(*VOLUNTEER_MANAGERS)
def hours_confirm(request: HttpRequest, access: ProgrammeAccess, log_id: str) -> HttpResponse:
    log = selectors.get_log_to_review(request.user, access.programme, log_id)
    try:
        shift_services.hours_review(actor=request.user, log=log, confirm=True)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The hours have been confirmed."))
    return redirect("mutualaid:hours-review", slug=access.programme.slug)


@programme_view(*VOLUNTEER_MANAGERS)
def hours_reject(request: HttpRequest, access: ProgrammeAccess, log_id: str) -> HttpResponse:
    log = selectors.get_log_to_review(request.user, access.programme, log_id)
    if request.method == "POST":
        try:
            shift_services.hours_review(actor=request.user, log=log, confirm=False)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The hours have not been confirmed."))
        return redirect("mutualaid:hours-review", slug=access.programme.slug)
    return render(request, "mutualaid/hours_reject.html", {"access": access, "log": log})


# --- Shifts ---------------------------------------------------------------------------------------


@programme_view(*VOLUNTEER_MANAGERS)
def shift_list(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    shifts = selectors.managed_shifts(request.user, access.programme)
    query = request.GET.get("q", "").strip()
    if query:
        shifts = shifts.filter(occurrence__activity__title__icontains=query)
    export = list_export(
        request, access, name="turni", title=_("Volunteer shifts"), rows=shifts, columns=listcolumns.SHIFTS
    )
    if export is not None:
        return export
    page = page_of(request, shifts)
    return render(
        request,
        "mutualaid/shift_list.html",
        {"access": access, "page": page, "query": query, "query_string": urlencode({"q": query})},
    )


@programme_view(*VOLUNTEER_MANAGERS)
def shift_create(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    activities = managed_activities(request.user, access.programme).filter(status=Activity.Status.ACTIVE)
    form = ShiftsForm(request.POST or None, activities=activities.order_by("title"))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = shift_services.shifts_create_for_activity(
                actor=request.user, activity=data["activity"], task=data["task"], slots=data["slots"],
                start=data["start"], end=data["end"],
            )  # fmt: skip
        except PermissionDenied:
            form.add_error("activity", _("You can only add shifts to the activities you run."))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(count)d shifts have been created.") % {"count": len(created)})
            return redirect("mutualaid:shift-list", slug=access.programme.slug)
    return render(request, "mutualaid/shift_form.html", {"access": access, "form": form})


@programme_view(*VOLUNTEER_MANAGERS)
def shift_detail(request: HttpRequest, access: ProgrammeAccess, shift_id: str) -> HttpResponse:
    shift = selectors.get_shift_for_manager(request.user, access.programme, shift_id)
    if request.method == "POST":
        present = {int(pk) for pk in request.POST.getlist("present") if pk.isdigit()}
        try:
            served = shift_services.shift_attendance_set(actor=request.user, shift=shift, present=present)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Attendance saved: %(count)d volunteers served.") % {"count": served})
        return redirect("mutualaid:shift-detail", slug=access.programme.slug, shift_id=shift.public_id)
    return render(
        request,
        "mutualaid/shift_detail.html",
        {
            "access": access,
            "shift": shift,
            "signups": selectors.shift_signups(shift),
            "can_record": timezone.localdate(shift.occurrence.starts_at) <= timezone.localdate(),
        },
    )


@programme_view(*VOLUNTEER_MANAGERS)
def shift_delete(request: HttpRequest, access: ProgrammeAccess, shift_id: str) -> HttpResponse:
    shift = selectors.get_shift_for_manager(request.user, access.programme, shift_id)
    if request.method == "POST":
        try:
            shift_services.shift_delete(actor=request.user, shift=shift)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("mutualaid:shift-detail", slug=access.programme.slug, shift_id=shift.public_id)
        messages.success(request, _("The shift has been removed."))
        return redirect("mutualaid:shift-list", slug=access.programme.slug)
    return render(request, "mutualaid/shift_delete.html", {"access": access, "shift": shift})
