"""Reach: the figures of people reached by the programme's activities."""

from __future__ import annotations

from django.urls import path

from trama.activities.views import reach

urlpatterns = [
    path("<slug:slug>/attivita/partecipazione/", reach.reach_page, name="reach"),
    path("<slug:slug>/attivita/partecipazione/rapporto/", reach.reach_report, name="reach-report"),
]
