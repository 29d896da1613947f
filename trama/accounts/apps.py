from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "trama.accounts"
    label = "accounts"
    verbose_name = _("Accounts and access")

    def ready(self) -> None:
        from trama.accounts import checks  # noqa: F401  (registers the deploy checks)
