"""The pages where a person creates and revokes their personal API tokens."""

from __future__ import annotations

app_name = "api-tokens"

urlpatterns: list = []
