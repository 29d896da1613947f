from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "trama.api"
    label = "api"
    verbose_name = _("REST API")

    def ready(self) -> None:
        # Registers the token scheme with drf-spectacular before any schema is generated.
        from trama.api import schema  # noqa: F401
