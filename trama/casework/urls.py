"""The case record's addresses, under /area/<programme-slug>/. Each area of casework keeps its own
routes module (cases and intake; assessments, pathways and sessions; referrals)."""

from __future__ import annotations

from trama.casework.routes import cases, delivery, referrals

app_name = "casework"

urlpatterns = [*cases.urlpatterns, *delivery.urlpatterns, *referrals.urlpatterns]
