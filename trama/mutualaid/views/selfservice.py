"""The volunteer's own area: my shifts, my matches, log my hours, my certificate, what I offer.

Only an approved volunteer reaches it (their own record, never anyone else's); of a match they see
the requester's name, address and telephone only once both sides have accepted — the page and the
JSON feed are built from the same `HelperView`, which holds no identity before that.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from trama.accounts.models import Role
from trama.accounts.permissions import ProgrammeAccess, programme_view
from trama.core.forms import add_service_errors
from trama.mutualaid.certificate import certificate_export
from trama.mutualaid.forms import HourLogForm, MatchDoneForm, ProfileForm, ReasonForm, slot_formset
from trama.mutualaid.models import Match, decode_codes
from trama.mutualaid.permissions import get_helper_match, require_own_volunteer
from trama.mutualaid.selectors import aid as aid_selectors
from trama.mutualaid.selectors import volunteers as selectors
from trama.mutualaid.services import matches
from trama.mutualaid.services import shifts as shift_services
from trama.mutualaid.services import volunteers as services

# The coming shifts with a free place shown on the volunteer's page, soonest first.
OPEN_SHIFTS_SHOWN = 8


def _home(access: ProgrammeAccess) -> HttpResponse:
    return redirect("mutualaid:my-home", slug=access.programme.slug)


@programme_view(Role.VOLUNTEER)
def my_home(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    volunteer = require_own_volunteer(request.user, access.programme)
    year_start = timezone.localdate().replace(month=1, day=1)
    views = aid_selectors.helper_views(volunteer)
    return render(
        request,
        "mutualaid/my/home.html",
        {
            "access": access,
            "volunteer": volunteer,
            "signups": selectors.my_signups(volunteer),
            "open_shifts": selectors.open_shifts(volunteer)[:OPEN_SHIFTS_SHOWN],
            "waiting": [view for view in views if view.status == Match.Status.PROPOSED],
            "agreed": [view for view in views if view.status == Match.Status.ACCEPTED],
            "done": [view for view in views if view.status == Match.Status.DONE][:10],
            "hours": selectors.volunteer_hours(volunteer, start=year_start),
            "year": year_start.year,
            "log_form": HourLogForm(initial={"day": timezone.localdate()}),
        },
    )


@require_POST
@programme_view(Role.VOLUNTEER)
def my_shift_signup(request: HttpRequest, access: ProgrammeAccess, shift_id: str) -> HttpResponse:
    volunteer = require_own_volunteer(request.user, access.programme)
    shift = selectors.get_open_shift(volunteer, shift_id)
    try:
        shift_services.shift_signup(actor=request.user, shift=shift, volunteer=volunteer)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("You are signed up. Thank you!"))
    return _home(access)


@programme_view(Role.VOLUNTEER)
def my_shift_cancel(request: HttpRequest, access: ProgrammeAccess, shift_id: str) -> HttpResponse:
    volunteer = require_own_volunteer(request.user, access.programme)
    signup = selectors.get_own_signup(volunteer, shift_id)
    if request.method == "POST":
        try:
            shift_services.shift_cancel(actor=request.user, signup=signup)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Your place has been given back."))
        return _home(access)
    return render(request, "mutualaid/my/shift_cancel.html", {"access": access, "signup": signup})


@programme_view(Role.VOLUNTEER)
def my_match(request: HttpRequest, access: ProgrammeAccess, match_id: str) -> HttpResponse:
    volunteer = require_own_volunteer(request.user, access.programme)
    match = get_helper_match(volunteer, match_id)
    return render(
        request,
        "mutualaid/my/match.html",
        {
            "access": access,
            "view": aid_selectors.helper_view(match),
            "done_form": MatchDoneForm(initial={"occurred_on": timezone.localdate()}),
        },
    )


@require_POST
@programme_view(Role.VOLUNTEER)
def my_match_accept(request: HttpRequest, access: ProgrammeAccess, match_id: str) -> HttpResponse:
    volunteer = require_own_volunteer(request.user, access.programme)
    match = get_helper_match(volunteer, match_id)
    try:
        match = matches.match_accept(actor=request.user, match=match, side=Match.Side.HELPER)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if match.status == Match.Status.ACCEPTED:
            messages.success(request, _("Agreed! You can now see who asked and how to reach them."))
        else:
            messages.success(request, _("Thank you: you will see who asked once they accept too."))
    return redirect("mutualaid:my-match", slug=access.programme.slug, match_id=match.public_id)


@programme_view(Role.VOLUNTEER)
def my_match_decline(request: HttpRequest, access: ProgrammeAccess, match_id: str) -> HttpResponse:
    volunteer = require_own_volunteer(request.user, access.programme)
    match = get_helper_match(volunteer, match_id)
    form = ReasonForm(request.POST or None)
    form.fields["reason"].required = False
    if request.method == "POST" and form.is_valid():
        try:
            matches.match_decline(
                actor=request.user, match=match, side=Match.Side.HELPER, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("You have declined this request."))
        return _home(access)
    return render(
        request, "mutualaid/my/match_decline.html", {"access": access, "view": aid_selectors.helper_view(match),
                                                     "form": form}
    )  # fmt: skip


@require_POST
@programme_view(Role.VOLUNTEER)
def my_match_done(request: HttpRequest, access: ProgrammeAccess, match_id: str) -> HttpResponse:
    volunteer = require_own_volunteer(request.user, access.programme)
    match = get_helper_match(volunteer, match_id)
    form = MatchDoneForm(request.POST)
    if form.is_valid():
        try:
            matches.match_complete(
                actor=request.user, match=match, hours=form.cleaned_data["hours"],
                occurred_on=form.cleaned_data["occurred_on"],
            )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Thank you: the help is recorded in the time bank."))
            return redirect("mutualaid:my-match", slug=access.programme.slug, match_id=match.public_id)
    return render(
        request, "mutualaid/my/match.html", {"access": access, "view": aid_selectors.helper_view(match),
                                             "done_form": form}, status=400,
    )  # fmt: skip


@require_safe
@programme_view(Role.VOLUNTEER)
def my_matches_json(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    """The volunteer's matches as JSON (for their phone): the same fields as the pages."""
    volunteer = require_own_volunteer(request.user, access.programme)
    views = aid_selectors.helper_views(volunteer)
    response = JsonResponse({"matches": [view.as_json() for view in views]})
    add_never_cache_headers(response)
    return response


@programme_view(Role.VOLUNTEER)
def my_hours(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    volunteer = require_own_volunteer(request.user, access.programme)
    form = HourLogForm(request.POST or None, initial={"day": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            shift_services.hours_log(
                actor=request.user, volunteer=volunteer, day=data["day"], hours=data["hours"],
                description=data["description"],
            )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your hours are logged: a coordinator will confirm them."))
            return redirect("mutualaid:my-hours", slug=access.programme.slug)
    year_start = timezone.localdate().replace(month=1, day=1)
    return render(
        request,
        "mutualaid/my/hours.html",
        {
            "access": access,
            "volunteer": volunteer,
            "form": form,
            "logs": selectors.hour_logs(volunteer)[:50],
            "hours": selectors.volunteer_hours(volunteer, start=year_start),
            "year": year_start.year,
        },
        status=400 if form.errors else 200,
    )


@require_safe
@programme_view(Role.VOLUNTEER)
def my_certificate(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    volunteer = require_own_volunteer(request.user, access.programme)
    this_year = timezone.localdate().year
    year = request.GET.get("anno", "")
    year = int(year) if year.isdigit() and 2000 <= int(year) <= this_year else this_year
    pdf = certificate_export(actor=request.user, volunteer=volunteer, year=year, request=request)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="attestato-ore-volontariato-{year}.pdf"'
    add_never_cache_headers(response)
    return response


@programme_view(Role.VOLUNTEER)
def my_profile(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    volunteer = require_own_volunteer(request.user, access.programme)
    data = request.POST if request.method == "POST" else None
    initial = {
        "skills": decode_codes(volunteer.skills), "skills_note": volunteer.skills_note,
        "languages": decode_codes(volunteer.languages), "interests": decode_codes(volunteer.interests),
        "municipalities": list(volunteer.municipalities.all()),
    }  # fmt: skip
    form = ProfileForm(data, initial=initial, municipalities=access.programme.municipalities.order_by("name"))
    slots = slot_formset(data, slots=list(volunteer.availability.order_by("weekday", "start_minute")))
    if request.method == "POST" and form.is_valid() and slots.is_valid():
        try:
            services.volunteer_update_profile(
                actor=request.user, volunteer=volunteer, profile=form.profile(), slots=slots.slots()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your profile has been saved."))
            return _home(access)
    return render(
        request,
        "mutualaid/my/profile.html",
        {"access": access, "form": form, "slots": slots, "offers": aid_selectors.helper_offers(volunteer)},
    )  # fmt: skip
