"""Evaluation: public pages under /<programme-slug>/."""

from __future__ import annotations

app_name = "evaluation-public"

urlpatterns: list = []
