"""Personal-token authentication and per-token throttling of the API.

Kept apart from `trama.api.base` because DRF imports the authentication classes named in settings
while `rest_framework.views` itself is loading: this module must not import DRF's views.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from trama.accounts.models import User
from trama.api.models import ApiToken, hash_secret

# Refresh a token's "last used" mark at most this often, so a busy client does not write the row
# on every request.
LAST_USED_RESOLUTION_SECONDS = 60


class TokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer <secret>` with a personal token (hashed at rest).

    A revoked or expired token, or one whose user was deactivated, answers 401 (S16). A token of a
    deactivated user is revoked on its first use, so reactivating the account does not revive it.
    """

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header."))
        try:
            secret = parts[1].decode()
        except UnicodeError as error:
            raise exceptions.AuthenticationFailed(_("Invalid token header.")) from error
        return self.authenticate_secret(secret)

    def authenticate_secret(self, secret: str) -> tuple[User, ApiToken]:
        token = ApiToken.objects.select_related("user").filter(secret_hash=hash_secret(secret)).first()
        if token is None or token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        now = timezone.now()
        if not token.user.is_active:
            ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now)
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        if token.expires_at is not None and token.expires_at <= now:
            raise exceptions.AuthenticationFailed(_("This token has expired."))
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > LAST_USED_RESOLUTION_SECONDS:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="api"'


class TokenRateThrottle(SimpleRateThrottle):
    """Requests per token (settings REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["api"])."""

    scope = "api"

    def get_cache_key(self, request: Request, view: object) -> str | None:
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.public_id}"  # never a row id a database hands out again
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
