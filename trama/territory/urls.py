from __future__ import annotations

from django.urls import path

from trama.territory import views

app_name = "territory"

urlpatterns = [
    path("<slug:slug>/", views.programme_home, name="programme-home"),
    path("<slug:slug>/programma/modifica/", views.programme_edit, name="programme-edit"),
    # The programme's territory (its municipalities)
    path("<slug:slug>/territorio/", views.territory_edit, name="territory-edit"),
    path("<slug:slug>/territorio/aggiungi/", views.territory_add, name="territory-add"),
    path("<slug:slug>/territorio/<str:istat_code>/rimuovi/", views.territory_remove, name="territory-remove"),
    # Action lines
    path("<slug:slug>/linee/", views.action_line_list, name="action-line-list"),
    path("<slug:slug>/linee/nuova/", views.action_line_edit, name="action-line-create"),
    path("<slug:slug>/linee/<uuid:line_id>/", views.action_line_edit, name="action-line-edit"),
    path("<slug:slug>/linee/<uuid:line_id>/elimina/", views.action_line_delete, name="action-line-delete"),
]
