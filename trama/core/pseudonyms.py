"""Stable pseudonyms (S9): a keyed HMAC of a record's public identifier.

The key (`TRAMA_PSEUDONYM_KEY`) lives outside the database, so a dump cannot be turned back into
identities: without the key, a pseudonym cannot be recomputed from a public id, let alone
reversed. The same record gets the same pseudonym everywhere (evaluators' extracts, an erased
person's record), so counts and links across tables stay true.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PSEUDONYM_LENGTH = 10
PERSON_PREFIX = "Persona"


def pseudonym(value: object) -> str:
    """The first 10 hex characters of HMAC-SHA256(`value`) under the pseudonym key."""
    key = settings.TRAMA_PSEUDONYM_KEY
    if not key:
        raise ImproperlyConfigured("TRAMA_PSEUDONYM_KEY is required to pseudonymise records.")
    digest = hmac.new(key.encode(), str(value).encode(), hashlib.sha256).hexdigest()
    return digest[:PSEUDONYM_LENGTH]


def person_pseudonym(public_id: object) -> tuple[str, str]:
    """The (first name, last name) that replace a person's names: ("Persona", "3f9a…")."""
    return PERSON_PREFIX, pseudonym(public_id)
