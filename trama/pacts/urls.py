"""Reciprocity pacts' staff addresses, under /area/<programme-slug>/patti/ (namespace "pacts")."""

from __future__ import annotations

from django.urls import path

from trama.pacts.views import giving_back, money, pacts, programme, reviews

app_name = "pacts"

P = "<slug:slug>/patti/"
PACT = P + "<uuid:pact_id>/"
MONEY = PACT + "erogazioni/<uuid:disbursement_id>/"
VERSION = PACT + "versioni/<int:number>/"

urlpatterns = [
    # Lists and the programme view.
    path(P, pacts.pact_list, name="pact-list"),
    path(P + "nuovo/", pacts.pact_create, name="pact-create"),
    path(P + "programma/", programme.programme_overview, name="programme"),
    path(P + "programma.xlsx", programme.programme_overview_xlsx, name="programme-xlsx"),
    path(P + "richieste/", money.requests_queue, name="requests"),
    # The places' side: commitments at my places, hours to confirm.
    path(P + "restituzioni/", giving_back.giving_back, name="giving-back"),
    path(P + "restituzioni/<uuid:commitment_id>/ore/", giving_back.place_contribution_create, name="place-hours"),
    path(P + "restituzioni/ore/<uuid:log_id>/conferma/", giving_back.contribution_confirm, name="hours-confirm"),
    path(P + "restituzioni/ore/<uuid:log_id>/non-confermare/", giving_back.contribution_reject, name="hours-reject"),
    # One pact.
    path(PACT, pacts.pact_detail, name="pact-detail"),
    path(PACT + "modifica/", pacts.pact_edit, name="pact-edit"),
    path(PACT + "registro/", pacts.pact_ledger, name="pact-ledger"),
    path(PACT + "firma/", pacts.pact_sign, name="pact-sign"),
    path(PACT + "avvia/", pacts.pact_start, name="pact-start"),
    path(PACT + "interrompi/", pacts.pact_interrupt, name="pact-interrupt"),
    path(PACT + "firmatari/nuovo/", pacts.signatory_add, name="signatory-add"),
    path(PACT + "firmatari/<uuid:signatory_id>/rimuovi/", pacts.signatory_remove, name="signatory-remove"),
    path(PACT + "voci/nuova/", pacts.line_create, name="line-create"),
    path(PACT + "voci/<uuid:line_id>/", pacts.line_edit, name="line-edit"),
    path(PACT + "voci/<uuid:line_id>/rimuovi/", pacts.line_delete, name="line-delete"),
    path(PACT + "impegni/nuovo/", pacts.commitment_create, name="commitment-create"),
    path(PACT + "impegni/<uuid:commitment_id>/", pacts.commitment_edit, name="commitment-edit"),
    path(PACT + "impegni/<uuid:commitment_id>/rimuovi/", pacts.commitment_delete, name="commitment-delete"),
    path(PACT + "impegni/<uuid:commitment_id>/ore/", giving_back.contribution_create, name="hours-create"),
    path(PACT + "impegni/<uuid:commitment_id>/banca-del-tempo/", giving_back.time_bank_count, name="time-bank-count"),
    # Versions and the document.
    path(VERSION + "patto.pdf", pacts.version_pdf, name="version-pdf"),
    path(VERSION + "firmato/", pacts.version_scan, name="version-scan"),
    path(VERSION + "firmato/carica/", pacts.version_scan_upload, name="version-scan-upload"),
    # Money.
    path(PACT + "erogazioni/nuova/", money.disbursement_create, name="disbursement-create"),
    path(MONEY, money.disbursement_detail, name="disbursement-detail"),
    path(MONEY + "decidi/", money.disbursement_decide, name="disbursement-decide"),
    path(MONEY + "ritira/", money.disbursement_withdraw, name="disbursement-withdraw"),
    path(MONEY + "pagamento/", money.disbursement_payment, name="disbursement-payment"),
    path(MONEY + "ricevuta/", money.disbursement_receipt, name="disbursement-receipt"),
    # Reviews.
    path(PACT + "verifiche/avvia/", reviews.review_start, name="review-start"),
    path(PACT + "verifiche/nuova/", reviews.review_create, name="review-create"),
    path(PACT + "verifiche/<uuid:review_id>/", reviews.review_detail, name="review-detail"),
]
