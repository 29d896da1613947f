"""Evaluation's documents under /area/<programme-slug>/valutazione/: the funder's report,
pseudonymised extracts, the network."""

from __future__ import annotations

from django.urls import path

from trama.evaluation import report_views

app_name = "evaluation-reports"

urlpatterns = [
    path("<slug:slug>/valutazione/rapporto/", report_views.report_page, name="report"),
    path("<slug:slug>/valutazione/estratti/", report_views.extracts_page, name="extracts"),
    path("<slug:slug>/valutazione/rete/", report_views.network_page, name="network"),
]
