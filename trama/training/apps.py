from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "trama.training"
    label = "training"
    verbose_name = _("Well-Fare Lab training")
