"""The public calendar: /<programme-slug>/calendario/, its detail pages, sign-up and iCalendar feeds."""

from __future__ import annotations

from django.urls import path

from trama.activities.views import public

app_name = "activities-public"

# Public addresses are Italian and stable (DESIGN.md): people print them on flyers.
urlpatterns = [
    path("<slug:slug>/calendario/", public.calendar_page, name="calendar"),
    path("<slug:slug>/calendario/<uuid:activity_id>/", public.activity_detail, name="detail"),
    path("<slug:slug>/calendario/<uuid:activity_id>/iscrizione/", public.signup, name="signup"),
    path("<slug:slug>/calendario/<uuid:activity_id>/iscrizione/grazie/", public.signup_thanks, name="signup-thanks"),
    # iCalendar feeds (RFC 5545), for calendar applications to subscribe to.
    path("<slug:slug>/calendario.ics", public.feed, name="feed"),
    path("<slug:slug>/mappa/luoghi/<uuid:place_id>/calendario.ics", public.place_feed, name="place-feed"),
]
