"""The public calendar: /<programme-slug>/calendario/, its detail pages, sign-up and iCalendar feeds."""

from __future__ import annotations

app_name = "activities-public"

urlpatterns: list = []
