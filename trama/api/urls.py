"""The REST API under /api/v1/ and its OpenAPI schema under /api/schema/."""

from __future__ import annotations

app_name = "api"

urlpatterns: list = []
