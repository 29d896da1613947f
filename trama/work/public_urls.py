"""Work plan: public pages under /<programme-slug>/."""

from __future__ import annotations

app_name = "work-public"

urlpatterns: list = []
