"""Budget and fundraising: staff addresses under /area/<programme-slug>/bilancio/ and
/area/<programme-slug>/raccolta-fondi/."""

from __future__ import annotations

from django.urls import path

from trama.funding.views import budget, fundraising

app_name = "funding"

B = "<slug:slug>/bilancio/"
F = "<slug:slug>/raccolta-fondi/"

urlpatterns = [
    # The budget: by source and by action line, sources, lines, expenses, reallocations.
    path(B, budget.budget, name="budget"),
    path(f"{B}impostazioni/", budget.settings_edit, name="budget-settings"),
    path(f"{B}fonti/", budget.source_list, name="source-list"),
    path(f"{B}fonti/nuova/", budget.source_edit, name="source-create"),
    path(f"{B}fonti/cofinanziamento/", budget.cofinancing_sync, name="cofinancing-sync"),
    path(f"{B}fonti/<uuid:source_id>/modifica/", budget.source_edit, name="source-edit"),
    path(f"{B}voci/nuova/", budget.line_edit, name="line-create"),
    path(f"{B}voci/<uuid:line_id>/", budget.line_detail, name="line-detail"),
    path(f"{B}voci/<uuid:line_id>/modifica/", budget.line_edit, name="line-edit"),
    path(f"{B}spese/", budget.expense_list, name="expense-list"),
    path(f"{B}spese/nuova/", budget.expense_create, name="expense-create"),
    path(f"{B}spese/<uuid:expense_id>/pagata/", budget.expense_pay, name="expense-pay"),
    path(f"{B}spese/<uuid:expense_id>/annulla/", budget.expense_cancel, name="expense-cancel"),
    path(f"{B}storni/", budget.reallocation_list, name="reallocation-list"),
    path(f"{B}storni/nuovo/", budget.reallocation_create, name="reallocation-create"),
    # Fundraising and communication.
    path(F, fundraising.campaign_list, name="campaign-list"),
    path(f"{F}campagne/nuova/", fundraising.campaign_edit, name="campaign-create"),
    path(f"{F}campagne/<uuid:campaign_id>/", fundraising.campaign_detail, name="campaign-detail"),
    path(f"{F}campagne/<uuid:campaign_id>/modifica/", fundraising.campaign_edit, name="campaign-edit"),
    path(f"{F}donatori/", fundraising.donor_list, name="donor-list"),
    path(f"{F}donatori/nuovo/", fundraising.donor_edit, name="donor-create"),
    path(f"{F}donatori/contattabili.csv", fundraising.mailing_export, name="mailing-export"),
    path(f"{F}donatori/<uuid:donor_id>/", fundraising.donor_detail, name="donor-detail"),
    path(f"{F}donatori/<uuid:donor_id>/modifica/", fundraising.donor_edit, name="donor-edit"),
    path(f"{F}donazioni/", fundraising.donation_list, name="donation-list"),
    path(f"{F}donazioni/nuova/", fundraising.donation_create, name="donation-create"),
    path(f"{F}donazioni/<uuid:donation_id>/ricevuta.pdf", fundraising.receipt_pdf, name="receipt-pdf"),
    path(f"{F}notizie/", fundraising.news_list, name="news-list"),
    path(f"{F}notizie/nuova/", fundraising.news_edit, name="news-create"),
    path(f"{F}notizie/<uuid:post_id>/modifica/", fundraising.news_edit, name="news-edit"),
    path(f"{F}notizie/<uuid:post_id>/elimina/", fundraising.news_delete, name="news-delete"),
]
