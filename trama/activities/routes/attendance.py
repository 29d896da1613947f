"""The lab's pages: my places' week, and per occurrence the check-in sheet, the anonymous tally and
the printable sign-in sheet."""

from __future__ import annotations

from django.urls import path

from trama.activities.views import attendance as views

urlpatterns = [
    path("<slug:slug>/attivita/settimana/", views.week, name="week"),
    path("<slug:slug>/attivita/date/<uuid:occurrence_id>/presenze/", views.checkin, name="checkin"),
    path("<slug:slug>/attivita/date/<uuid:occurrence_id>/conteggio/", views.tally, name="tally"),
    path("<slug:slug>/attivita/date/<uuid:occurrence_id>/foglio-firme.pdf", views.signin_sheet, name="signin-sheet"),
]
