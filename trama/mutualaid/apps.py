from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MutualaidConfig(AppConfig):
    name = "trama.mutualaid"
    label = "mutualaid"
    verbose_name = _("Volunteers and mutual aid")
