"""Intake queue and cases, under /area/<programme-slug>/ (namespace "casework")."""

from __future__ import annotations

from django.urls import path

from trama.casework.views import cases, intake

CASE = "<slug:slug>/casi/<uuid:case_id>/"

urlpatterns = [
    # The intake queue (coordinators) and signals (operators, lab managers, coordinators).
    path("<slug:slug>/accoglienza/", intake.intake_list, name="intake-list"),
    path("<slug:slug>/accoglienza/segnala/", intake.signal_create, name="signal-create"),
    path("<slug:slug>/accoglienza/<uuid:request_id>/", intake.intake_detail, name="intake-detail"),
    path("<slug:slug>/accoglienza/<uuid:request_id>/chiudi/", intake.intake_close, name="intake-close"),
    # Cases.
    path("<slug:slug>/casi/", cases.case_list_view, name="case-list"),
    path(CASE, cases.case_detail, name="case-detail"),
    path(CASE + "modifica/", cases.case_edit, name="case-edit"),
    path(CASE + "fase/", cases.case_phase, name="case-phase"),
    path(CASE + "chiudi/", cases.case_close, name="case-close"),
    path(CASE + "riapri/", cases.case_reopen, name="case-reopen"),
    # The case team.
    path(CASE + "equipe/", cases.case_team, name="case-team"),
    path(CASE + "equipe/<uuid:member_id>/referente/", cases.case_team_lead, name="case-team-lead"),
    path(CASE + "equipe/<uuid:member_id>/rimuovi/", cases.case_team_remove, name="case-team-remove"),
]
