"""Imports and exports: staff pages under /area/<programme-slug>/."""

from __future__ import annotations

app_name = "exchange"

urlpatterns: list = []
