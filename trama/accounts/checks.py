"""Deployment checks of Trama's own settings (run by `manage.py check --deploy`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured


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


@register(Tags.security, deploy=True)
def check_keys_outside_the_database(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """Signing, confidential notes and pseudonyms need keys kept outside the database (S6, S9).

    A deployment check: without the keys the application still starts (so commands such as
    makemigrations run anywhere), and whatever needs a missing key fails loudly when used."""
    errors: list[CheckMessage] = []
    try:
        has_secret_key = bool(settings.SECRET_KEY)
    except ImproperlyConfigured:
        has_secret_key = False
    if not has_secret_key:
        errors.append(
            Error(
                "DJANGO_SECRET_KEY is not set.",
                hint="Set DJANGO_SECRET_KEY to a long random string (only DJANGO_DEBUG=true has a built-in one).",
                id="trama.E003",
            )
        )
    if not settings.DEBUG and not settings.TRAMA_FIELD_ENCRYPTION_KEYS:
        errors.append(
            Error(
                "TRAMA_FIELD_ENCRYPTION_KEYS is not set.",
                hint="Generate one with: python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())' and keep it outside the database and its backups.",
                id="trama.E001",
            )
        )
    if not settings.DEBUG and not settings.TRAMA_PSEUDONYM_KEY:
        errors.append(
            Error(
                "TRAMA_PSEUDONYM_KEY is not set.",
                hint="A long random string, kept outside the database: it makes evaluators' pseudonyms.",
                id="trama.E002",
            )
        )
    return errors
