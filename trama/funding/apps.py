from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundingConfig(AppConfig):
    name = "trama.funding"
    label = "funding"
    verbose_name = _("Budget and fundraising")
