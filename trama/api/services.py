"""Creating and revoking personal API tokens (audited, S10)."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from trama.accounts.audit import audit_record
from trama.accounts.models import AuditEvent, User
from trama.api.models import ApiToken, hash_secret, new_secret

# A token shows enough of its start to be recognised in the list, never enough to be used.
VISIBLE_PREFIX_LENGTH = 12


def token_create(
    *, actor: User, name: str, valid_days: int | None, request: HttpRequest | None = None
) -> tuple[ApiToken, str]:
    """A new token of `actor` and its secret, which is returned here once and never stored."""
    if not actor.is_authenticated or not actor.is_active:
        raise PermissionDenied
    secret = new_secret()
    expires_at = timezone.now() + timedelta(days=valid_days) if valid_days else None
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=actor,
            name=name,
            prefix=secret[:VISIBLE_PREFIX_LENGTH],
            secret_hash=hash_secret(secret),
            expires_at=expires_at,
        )
        audit_record(action=AuditEvent.Action.CREATE, actor=actor, request=request, target=token)
    return token, secret


def token_revoke(*, actor: User, token: ApiToken, request: HttpRequest | None = None) -> ApiToken:
    """Revoke one of `actor`'s own tokens: it stops working on the next request."""
    if token.user_id != actor.pk:
        raise PermissionDenied
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            locked.save(update_fields=["revoked_at", "updated_at"])
            audit_record(action=AuditEvent.Action.DELETE, actor=actor, request=request, target=locked)
    return locked
