from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HousingConfig(AppConfig):
    name = "trama.housing"
    label = "housing"
    verbose_name = _("Housing plan")
