"""Deployment checks of Trama's own settings (run by `manage.py check --deploy`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register


@register(Tags.security, deploy=True)
def check_two_factor_enabled(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    if settings.TRAMA_REQUIRE_2FA:
        return []
    return [
        Warning(
            "Two-factor authentication is switched off (TRAMA_REQUIRE_2FA=false).",
            hint="Only demonstrations may run without it: people who read case files must use TOTP.",
            id="trama.W001",
        )
    ]
