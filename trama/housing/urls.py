"""Housing plan: staff pages under /area/<programme-slug>/casa/."""

from __future__ import annotations

from django.urls import path

from trama.housing import views

app_name = "housing"

urlpatterns = [
    path("<slug:slug>/casa/", views.home, name="home"),
    # Dwellings offered to the plan
    path("<slug:slug>/casa/alloggi/", views.dwelling_list, name="dwelling-list"),
    path("<slug:slug>/casa/alloggi/nuovo/", views.dwelling_create, name="dwelling-create"),
    path("<slug:slug>/casa/alloggi/<uuid:dwelling_id>/", views.dwelling_detail, name="dwelling-detail"),
    path("<slug:slug>/casa/alloggi/<uuid:dwelling_id>/stato/", views.dwelling_status, name="dwelling-status"),
    # Households looking for a home, and their tenancies
    path("<slug:slug>/casa/ricerche/", views.search_list, name="search-list"),
    path("<slug:slug>/casa/ricerche/nuova/", views.search_create, name="search-create"),
    path("<slug:slug>/casa/ricerche/<uuid:search_id>/", views.search_detail, name="search-detail"),
    path(
        "<slug:slug>/casa/ricerche/<uuid:search_id>/alloggi/<uuid:dwelling_id>/",
        views.tenancy_create,
        name="tenancy-create",
    ),
    path("<slug:slug>/casa/contratti/<uuid:tenancy_id>/", views.tenancy_detail, name="tenancy-detail"),
    path("<slug:slug>/casa/contratti/<uuid:tenancy_id>/garanzia/", views.guarantee_create, name="guarantee-create"),
    path("<slug:slug>/casa/contratti/<uuid:tenancy_id>/prelievo/", views.draw_create, name="draw-create"),
    # The rent-guarantee fund
    path("<slug:slug>/casa/fondo/", views.fund, name="fund"),
    path("<slug:slug>/casa/fondo/versamento/", views.deposit_create, name="deposit-create"),
    # Solidarity co-housing
    path("<slug:slug>/casa/coabitazioni/", views.cohousing_list, name="cohousing-list"),
    path("<slug:slug>/casa/coabitazioni/nuova/", views.cohousing_create, name="cohousing-create"),
    path("<slug:slug>/casa/coabitazioni/<uuid:cohousing_id>/", views.cohousing_detail, name="cohousing-detail"),
    path(
        "<slug:slug>/casa/coabitazioni/<uuid:cohousing_id>/accordo/",
        views.cohousing_agreement,
        name="cohousing-agreement",
    ),
    # The social caretaker
    path("<slug:slug>/casa/custode/", views.building_list, name="building-list"),
    path("<slug:slug>/casa/custode/nuovo/", views.building_create, name="building-create"),
    path("<slug:slug>/casa/custode/<uuid:building_id>/", views.building_detail, name="building-detail"),
    path("<slug:slug>/casa/custode/<uuid:building_id>/diario/", views.log_entry_create, name="log-entry-create"),
    path("<slug:slug>/casa/custode/<uuid:building_id>/squadra/", views.caretaker_add, name="caretaker-add"),
    path(
        "<slug:slug>/casa/custode/<uuid:building_id>/squadra/<uuid:caretaker_id>/rimuovi/",
        views.caretaker_remove,
        name="caretaker-remove",
    ),
]
