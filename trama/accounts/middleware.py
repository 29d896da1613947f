from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from trama.accounts.audit import audit_record
from trama.accounts.models import AuditEvent
from trama.accounts.permissions import requires_two_factor

SESSION_STARTED = "trama_auth_at"
SESSION_SEEN = "trama_seen_at"
# Refresh the "last seen" mark at most this often, so an active user does not write the session
# row on every single request.
_SEEN_RESOLUTION = timedelta(seconds=60)

# Views a half-authenticated user (password given, second factor not yet) may reach.
TWO_FACTOR_EXEMPT_VIEWS = frozenset(
    {
        "accounts:login",
        "accounts:logout",
        "accounts:otp-verify",
        "accounts:otp-setup",
        "accounts:otp-qrcode",
        "set_language",
    }
)


def mark_session_start(request: HttpRequest) -> None:
    now = timezone.now().isoformat()
    request.session[SESSION_STARTED] = now
    request.session[SESSION_SEEN] = now


class SessionLifetimeMiddleware:
    """Idle timeout and absolute lifetime of a signed-in session (S16)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = timezone.now()
            started = _read(request, SESSION_STARTED) or now
            seen = _read(request, SESSION_SEEN) or now
            idle = timedelta(minutes=settings.TRAMA_SESSION_IDLE_MINUTES)
            lifetime = timedelta(hours=settings.TRAMA_SESSION_MAX_HOURS)
            if now - seen > idle or now - started > lifetime:
                with transaction.atomic():
                    audit_record(action=AuditEvent.Action.SESSION_EXPIRED, actor=request.user, request=request)
                logout(request)
                messages.info(request, _("Your session has expired. Please sign in again."))
                return redirect(f"{_reverse(settings.LOGIN_URL)}?{urlencode({'next': request.path})}")
            if SESSION_STARTED not in request.session:
                request.session[SESSION_STARTED] = now.isoformat()
            if now - seen > _SEEN_RESOLUTION or SESSION_SEEN not in request.session:
                request.session[SESSION_SEEN] = now.isoformat()
        return self.get_response(request)


def _read(request: HttpRequest, key: str) -> datetime | None:
    value = request.session.get(key)
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


class TwoFactorMiddleware:
    """Sends a signed-in user who must use a second factor to enrol or verify it first (S15)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        match = request.resolver_match
        if match is not None and match.view_name in TWO_FACTOR_EXEMPT_VIEWS:
            return None
        if match is not None and match.namespace == "portal":
            return None
        if not requires_two_factor(user):
            return None
        from django_otp import user_has_device

        target = "accounts:otp-verify" if user_has_device(user, confirmed=True) else "accounts:otp-setup"
        return redirect(f"{_reverse(target)}?{urlencode({'next': request.get_full_path()})}")


def _reverse(name: str) -> str:
    from django.urls import reverse

    return reverse(name)
