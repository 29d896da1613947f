from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkConfig(AppConfig):
    name = "trama.work"
    label = "work"
    verbose_name = _("Work plan")

    def ready(self) -> None:
        from trama.work import receivers  # noqa: F401 — connects the pseudonymisation receiver
