"""Assessments, pathways and goals, sessions and the agenda, under /area/<programme-slug>/."""

from __future__ import annotations

from django.urls import path

from trama.casework.views import assessments, pathways

CASE = "<slug:slug>/casi/<uuid:case_id>/"
PATHWAY = "<slug:slug>/percorsi/<uuid:pathway_id>/"

urlpatterns = [
    # Assessments of a case.
    path(f"{CASE}valutazioni/nuova/", assessments.assessment_create_view, name="assessment-create"),
    path(f"{CASE}valutazioni/<uuid:assessment_id>/", assessments.assessment_detail, name="assessment-detail"),
    # Pathways and goals started from a case.
    path(f"{CASE}percorsi/nuovo/", pathways.pathway_create, name="pathway-create"),
    path(f"{CASE}obiettivi/nuovo/", pathways.goal_create, name="goal-create"),
    path(f"{CASE}obiettivi/<uuid:goal_id>/stato/", pathways.goal_status, name="goal-status"),
    # Pathways.
    path("<slug:slug>/percorsi/", pathways.pathway_list, name="pathway-list"),
    path(PATHWAY, pathways.pathway_detail, name="pathway-detail"),
    path(f"{PATHWAY}modifica/", pathways.pathway_edit, name="pathway-edit"),
    path(f"{PATHWAY}stato/", pathways.pathway_status, name="pathway-status"),
    path(f"{PATHWAY}partecipanti/aggiungi/", pathways.pathway_add_cases, name="pathway-add-cases"),
    # Sessions of a pathway.
    path(f"{PATHWAY}incontri/nuovo/", pathways.session_create, name="session-create"),
    path(f"{PATHWAY}incontri/<uuid:session_id>/", pathways.session_detail, name="session-detail"),
    # The operator's agenda.
    path("<slug:slug>/agenda/", pathways.agenda, name="agenda"),
]
