"""Activities' staff addresses, under /area/<programme-slug>/attivita/. Each area keeps its own
routes module: managing activities and registrations; attendance, tallies and the week view; reach."""

from __future__ import annotations

from trama.activities.routes import attendance, manage, reach

app_name = "activities"

urlpatterns = [*attendance.urlpatterns, *reach.urlpatterns, *manage.urlpatterns]
