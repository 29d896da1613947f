"""Evaluation's documents: the funder's report, pseudonymised extracts, the network picture."""

from __future__ import annotations

app_name = "evaluation-reports"

urlpatterns: list = []
