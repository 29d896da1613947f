"""The public calendar: the programme's public activities, their pages, the sign-up form and the
iCalendar feeds. Anyone may open them (S3's allow-list); they show no person (S8)."""

from __future__ import annotations

from dataclasses import asdict
from urllib.parse import urlencode, urlsplit, urlunsplit
from uuid import UUID

from axes.helpers import get_client_ip_address
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_http_methods, require_safe

from trama.activities import calendar, services
from trama.activities.forms_public import CalendarFilterForm, SignupForm
from trama.activities.models import Activity, Registration
from trama.core.forms import add_service_errors
from trama.core.ratelimit import RateLimit
from trama.network.models import CommunityPlace
from trama.network.selectors import public_places
from trama.territory.models import Programme

PAGE_SIZE = 30
FEED_MAX_AGE = 15 * 60  # calendar applications poll; a quarter of an hour old is fresh enough
SIGNUP_SESSION_KEY = "activities:signup"
# A family signs several children up, a school secretary a class: more than the help form's 5.
SIGNUP_RATE = RateLimit("signup", 20, 60 * 60)


def _programme(slug: str) -> Programme:
    """The programme if it is public; 404 alike for a hidden programme and an unknown address."""
    return get_object_or_404(Programme.objects.public(), slug=slug)


def _activity(programme: Programme, activity_id: UUID) -> Activity:
    """A public, active activity of the programme; 404 for an internal or archived one."""
    activity = calendar.public_activity(programme, activity_id)
    if activity is None:
        raise Http404
    return activity


@require_safe
def calendar_page(request: HttpRequest, slug: str) -> HttpResponse:
    """The dates to come, grouped by day, with filters by place, audience and kind."""
    programme = _programme(slug)
    form = CalendarFilterForm(request.GET, places=calendar.calendar_places(programme))
    form.is_valid()  # an invalid value is dropped; the other filters still apply
    filters = form.filters()
    page = Paginator(calendar.upcoming_occurrences(programme, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    feed_url = request.build_absolute_uri(reverse("activities-public:feed", args=[slug]))
    return render(
        request,
        "activities/public/calendar.html",
        {
            "programme": programme,
            "form": form,
            "filtered": form.is_filtered(),
            "page": page,
            "days": calendar.by_day(page.object_list),
            "query_string": urlencode({key: value for key, value in asdict(filters).items() if value}),
            "feed_url": feed_url,
            "webcal_url": _webcal(feed_url),
        },
    )


def _webcal(url: str) -> str:
    """The subscription address (webcal://) that calendar applications open directly."""
    return urlunsplit(("webcal", *urlsplit(url)[1:]))


def _detail(request: HttpRequest, programme: Programme, activity: Activity, form: SignupForm | None) -> HttpResponse:
    dates = calendar.next_dates(activity)
    return render(
        request,
        "activities/public/detail.html",
        {
            "programme": programme,
            "activity": activity,
            "dates": dates[: calendar.NEXT_DATES],
            "more_dates": len(dates) > calendar.NEXT_DATES,
            "places_left": calendar.places_left(activity),
            # The form only while the activity takes sign-ups; `form` comes back with its errors.
            "form": (form or SignupForm()) if calendar.takes_signups(activity, dates) else None,
        },
    )


@require_safe
def activity_detail(request: HttpRequest, slug: str, activity_id: UUID) -> HttpResponse:
    programme = _programme(slug)
    return _detail(request, programme, _activity(programme, activity_id), None)


@never_cache  # what a visitor typed is shown again only to them, on an error
@require_http_methods(["GET", "HEAD", "POST"])
def signup(request: HttpRequest, slug: str, activity_id: UUID) -> HttpResponse:
    """The sign-up form's POST. Rate limited per connection like the "I need help" form."""
    programme = _programme(slug)
    activity = _activity(programme, activity_id)
    if not calendar.takes_signups(activity, calendar.next_dates(activity)):
        raise Http404
    if request.method != "POST":
        return redirect(f"{activity.get_public_url()}#iscrizione")
    client = get_client_ip_address(request) or "unknown"
    if SIGNUP_RATE.exceeded(programme=programme, client_ip=client):
        return render(
            request, "activities/public/signup_rate_limited.html", {"programme": programme, "activity": activity},
            status=429,
        )  # fmt: skip
    form = SignupForm(request.POST)
    if form.is_valid():
        SIGNUP_RATE.count(programme=programme, client_ip=client)
        try:
            registration = services.public_signup(activity=activity, **form.signup())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            # The outcome waits in the visitor's session: nothing personal goes in an address.
            request.session[SIGNUP_SESSION_KEY] = {"activity": str(activity.public_id), "status": registration.status}
            return redirect("activities-public:signup-thanks", slug=programme.slug, activity_id=activity.public_id)
    return _detail(request, programme, activity, form)


@never_cache
@require_safe
def signup_thanks(request: HttpRequest, slug: str, activity_id: UUID) -> HttpResponse:
    programme = _programme(slug)
    activity = _activity(programme, activity_id)
    outcome = request.session.get(SIGNUP_SESSION_KEY) or {}
    if outcome.get("activity") != str(activity.public_id):
        return redirect(activity.get_public_url())
    return render(
        request,
        "activities/public/signup_thanks.html",
        {
            "programme": programme,
            "activity": activity,
            "waiting": outcome.get("status") == Registration.Status.WAITING,
            "status": outcome.get("status"),
        },
    )


def _feed_response(request: HttpRequest, programme: Programme, place: CommunityPlace | None) -> HttpResponse:
    activities = calendar.feed_activities(programme, place=place)
    name = (
        _("%(programme)s — activities at %(place)s") % {"programme": programme.name, "place": place.name}
        if place
        else _("%(programme)s — activities") % {"programme": programme.name}
    )
    content = calendar.ical_feed(
        programme=programme, activities=activities, closures=calendar.programme_closures(programme), name=name,
        absolute_url=request.build_absolute_uri,
    )  # fmt: skip
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    filename = f"calendario-{programme.slug}{'-' + str(place.public_id) if place else ''}.ics"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@cache_control(public=True, max_age=FEED_MAX_AGE)
@require_safe
def feed(request: HttpRequest, slug: str) -> HttpResponse:
    """The programme's iCalendar feed (RFC 5545), for calendar applications to subscribe to."""
    programme = _programme(slug)
    return _feed_response(request, programme, None)


@cache_control(public=True, max_age=FEED_MAX_AGE)
@require_safe
def place_feed(request: HttpRequest, slug: str, place_id: UUID) -> HttpResponse:
    """The iCalendar feed of one published place of the programme."""
    programme = _programme(slug)
    place = public_places(programme).prefetch_related(None).filter(public_id=place_id).first()
    if place is None:
        raise Http404
    return _feed_response(request, programme, place)
