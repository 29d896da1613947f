"""Work plan: staff pages under /area/<programme-slug>/."""

from __future__ import annotations

app_name = "work"

urlpatterns: list = []
