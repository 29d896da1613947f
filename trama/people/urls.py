"""People, households, consent and rights, under /area/<programme-slug>/."""

from __future__ import annotations

from django.urls import path

from trama.people import views

app_name = "people"

P = "<slug:slug>/persone/<uuid:person_id>"
H = "<slug:slug>/nuclei/<uuid:household_id>"

urlpatterns = [
    # People
    path("<slug:slug>/persone/", views.person_search, name="person-search"),
    path("<slug:slug>/persone/nuova/", views.person_create, name="person-create"),
    path(f"{P}/", views.person_detail, name="person-detail"),
    path(f"{P}/modifica/", views.person_edit, name="person-edit"),
    # Consent
    path(f"{P}/consensi/nuovo/", views.consent_create, name="consent-create"),
    path(f"{P}/consensi/<uuid:consent_id>/revoca/", views.consent_withdraw, name="consent-withdraw"),
    path(f"{P}/consensi/<uuid:consent_id>/modulo/", views.consent_signed_form, name="consent-signed-form"),
    # Data-subject rights (coordinators)
    path(f"{P}/diritti/", views.person_rights, name="person-rights"),
    path(f"{P}/diritti/accessi/", views.person_access_report, name="person-access-report"),
    path(f"{P}/diritti/accessi.pdf", views.person_access_report_pdf, name="person-access-report-pdf"),
    path(f"{P}/diritti/dati.json", views.person_export_json, name="person-export-json"),
    path(f"{P}/diritti/dati.pdf", views.person_export_pdf, name="person-export-pdf"),
    path(f"{P}/diritti/cancellazione/", views.person_erase, name="person-erase"),
    # Households
    path(f"{H}/", views.household_detail, name="household-detail"),
    path(f"{H}/membri/nuovo/", views.household_member_create, name="household-member-create"),
    path(f"{H}/membri/aggiungi/<uuid:person_id>/", views.household_member_add, name="household-member-add"),
    path(f"{H}/membri/<uuid:member_id>/rimuovi/", views.household_member_remove, name="household-member-remove"),
    path(f"{H}/referente/", views.household_primary_contact, name="household-primary-contact"),
    # The register of processing (S14)
    path("<slug:slug>/registro-trattamenti/", views.processing_register, name="processing-register"),
    path("<slug:slug>/registro-trattamenti.csv", views.processing_register_csv, name="processing-register-csv"),
]
