"""Application-level encryption of special-category text (S6).

Session and assessment notes, health remarks and similar text are encrypted before they reach
the database, with a key that lives outside it (TRAMA_FIELD_ENCRYPTION_KEYS). A database dump,
a backup or a replica shows only ciphertext. Several comma-separated keys may be configured: the
first encrypts, all decrypt, so keys can be rotated without rewriting every row at once.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

PREFIX = "enc1:"


@lru_cache(maxsize=1)
def _fernet() -> MultiFernet:
    keys = list(settings.TRAMA_FIELD_ENCRYPTION_KEYS)
    if not keys:
        raise ImproperlyConfigured("TRAMA_FIELD_ENCRYPTION_KEYS is required to store confidential notes.")
    return MultiFernet([Fernet(key) for key in keys])


def encrypt(text: str) -> str:
    return PREFIX + _fernet().encrypt(text.encode()).decode()


def decrypt(stored: str) -> str:
    if not stored.startswith(PREFIX):
        raise ValueError("Not an encrypted value")
    try:
        return _fernet().decrypt(stored[len(PREFIX) :].encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured("A confidential note cannot be decrypted with the configured keys.") from None


class EncryptedTextField(models.TextField):
    """A TextField stored encrypted. Not searchable or orderable by content, on purpose."""

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return value
        return decrypt(value)

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and value.startswith(PREFIX):
            return decrypt(value)
        return super().to_python(value)
