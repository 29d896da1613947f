from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PactsConfig(AppConfig):
    name = "trama.pacts"
    label = "pacts"
    verbose_name = _("Reciprocity pacts")
