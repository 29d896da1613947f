"""The lab's pages: my places' week, the check-in sheet, the tally grid and the sign-in sheet PDF.

Thin views: programme gate (coordinators and lab managers) → `attendance.get_occurrence_for_manager`
(404 for another organisation's lab) → form → service → redirect with a message.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from trama.accounts.models import Role
from trama.accounts.permissions import ProgrammeAccess, programme_view
from trama.activities import attendance, services
from trama.activities.forms_attendance import CheckinForm, ParticipantForm, TallyForm, WeekForm
from trama.activities.models import Occurrence
from trama.core.forms import add_service_errors

MANAGERS = (Role.COORDINATOR, Role.LAB_MANAGER)
PARTICIPANT_FORM = "participant"


def _occurrence_url(name: str, occurrence: Occurrence) -> str:
    return reverse(f"activities:{name}", args=[occurrence.activity.programme.slug, occurrence.public_id])


@programme_view(*MANAGERS)
def week(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    places = attendance.managed_places(request.user, access.programme)
    form = WeekForm(request.GET, places=places)
    form.is_valid()  # a bad field is explained on the page; the valid ones still apply
    day = form.cleaned_data.get("settimana") or timezone.localdate()
    place = form.cleaned_data.get("luogo")
    shown = attendance.Week.containing(day)
    occurrences = attendance.week_occurrences(request.user, access.programme, shown, place=place)
    days = attendance.week_by_day(occurrences)
    place_query = {"luogo": str(place.public_id)} if place is not None else {}
    return render(
        request,
        "activities/attendance/week.html",
        {
            "access": access,
            "form": form,
            "week": shown,
            "days": days,
            "place": place,
            "today": timezone.localdate(),
            "previous_query": urlencode({"settimana": shown.previous.isoformat(), **place_query}),
            "next_query": urlencode({"settimana": shown.next.isoformat(), **place_query}),
            "current_query": urlencode(place_query),
        },
    )


@programme_view(*MANAGERS)
def checkin(request: HttpRequest, access: ProgrammeAccess, occurrence_id: str) -> HttpResponse:
    occurrence = attendance.get_occurrence_for_manager(request.user, access.programme, occurrence_id)
    people = attendance.checkin_people(occurrence)
    form = CheckinForm(people=people)
    participant_form = ParticipantForm(prefix=PARTICIPANT_FORM)
    if request.method == "POST":
        if request.POST.get("form") == PARTICIPANT_FORM:
            participant_form = ParticipantForm(request.POST, prefix=PARTICIPANT_FORM)
            saved = _add_participant(request, occurrence, participant_form)
        else:
            form = CheckinForm(request.POST, people=people)
            saved = _save_attendance(request, occurrence, form)
        if saved:
            return redirect(_occurrence_url("checkin", occurrence))
    if form.is_bound:
        ticked = set(form["present"].value() or [])
    else:
        ticked = {str(person.public_id) for person in people if person.is_present}
    day = timezone.localdate(occurrence.starts_at)
    rows = [
        {"person": person, "ticked": str(person.public_id) in ticked, "is_minor": attendance.is_minor_on(person, day)}
        for person in people
    ]
    return render(
        request,
        "activities/attendance/checkin.html",
        {
            "access": access,
            "occurrence": occurrence,
            "activity": occurrence.activity,
            "rows": rows,
            "present_count": sum(1 for person in people if person.is_present),
            "ticked_count": len(ticked),
            "refusal": attendance.recording_refusal(occurrence),
            "form": form,
            "participant_form": participant_form,
            "participant_form_name": PARTICIPANT_FORM,
            "participant_open": participant_form.is_bound,
        },
    )


def _save_attendance(request: HttpRequest, occurrence: Occurrence, form: CheckinForm) -> bool:
    if not form.is_valid():
        return False
    present = form.present_people()
    try:
        services.attendance_set(actor=request.user, occurrence=occurrence, present=present)
    except ValidationError as error:
        add_service_errors(form, error)
        return False
    message = ngettext(
        "Attendance saved: %(count)d person present.", "Attendance saved: %(count)d people present.", len(present)
    )
    messages.success(request, message % {"count": len(present)})
    return True


def _add_participant(request: HttpRequest, occurrence: Occurrence, form: ParticipantForm) -> bool:
    if not form.is_valid():
        return False
    data = form.cleaned_data
    guardian = services.Guardian(name=data["guardian_name"], consents=data["guardian_consent"])
    try:
        registration = attendance.participant_add(
            actor=request.user, occurrence=occurrence, first_name=data["first_name"], last_name=data["last_name"],
            birth_date=data["birth_date"], gender=data["gender"], guardian=guardian if guardian.name.strip() else None,
        )  # fmt: skip
    except ValidationError as error:
        add_service_errors(form, error)
        return False
    messages.success(request, _("%(name)s is registered and marked present.") % {"name": registration.person})
    return True


@programme_view(*MANAGERS)
def tally(request: HttpRequest, access: ProgrammeAccess, occurrence_id: str) -> HttpResponse:
    occurrence = attendance.get_occurrence_for_manager(request.user, access.programme, occurrence_id)
    counts = attendance.tally_counts(occurrence)
    form = TallyForm(initial=TallyForm.initial_for(counts))
    if request.method == "POST":
        form = TallyForm(request.POST)
        if form.is_valid():
            try:
                total = services.tally_set(actor=request.user, occurrence=occurrence, cells=form.cells())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                message = ngettext(
                    "Tally saved: %(count)d person in all.", "Tally saved: %(count)d people in all.", total
                )
                messages.success(request, message % {"count": total})
                return redirect(_occurrence_url("tally", occurrence))
    return render(
        request,
        "activities/attendance/tally.html",
        {
            "access": access,
            "occurrence": occurrence,
            "activity": occurrence.activity,
            "form": form,
            "grid": form.grid(),
            "saved": attendance.tally_summary(counts),
            "refusal": attendance.recording_refusal(occurrence),
        },
    )


@programme_view(*MANAGERS)
def signin_sheet(request: HttpRequest, access: ProgrammeAccess, occurrence_id: str) -> HttpResponse:
    occurrence = attendance.get_occurrence_for_manager(request.user, access.programme, occurrence_id)
    pdf = attendance.signin_sheet_export(actor=request.user, occurrence=occurrence, request=request)
    day = timezone.localdate(occurrence.starts_at)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="foglio-firme-{day.isoformat()}.pdf"'
    add_never_cache_headers(response)  # names on paper: never kept by a cache, whoever asks
    return response
