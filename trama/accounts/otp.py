"""Two-factor enrolment and verification with TOTP and one-time backup codes (S15)."""

from __future__ import annotations

import secrets
from binascii import unhexlify
from io import BytesIO

from django.db import transaction
from django.http import HttpRequest
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.qr import write_qrcode_image

from trama.accounts.audit import audit_record
from trama.accounts.models import AuditEvent, User

SETUP_KEY = "trama_otp_setup_key"
BACKUP_CODE_COUNT = 10


def setup_key(request: HttpRequest) -> str:
    """The secret being enrolled, kept in the session until the first code confirms it."""
    key = request.session.get(SETUP_KEY)
    if not key:
        key = secrets.token_hex(20)
        request.session[SETUP_KEY] = key
    return key


def setup_qrcode_svg(request: HttpRequest) -> bytes:
    user: User = request.user
    device = TOTPDevice(user=user, key=setup_key(request), name="Trama")
    out = BytesIO()
    write_qrcode_image(device.config_url, out)
    return out.getvalue()


def setup_config_secret(request: HttpRequest) -> str:
    """The base32 secret, for people who type it into the app instead of scanning."""
    from base64 import b32encode

    return b32encode(unhexlify(setup_key(request))).decode()


def otp_enrol(*, request: HttpRequest, token: str) -> list[str] | None:
    """Confirm the enrolment with a first code; return the backup codes, or None if the code is wrong."""
    key = request.session.get(SETUP_KEY)
    if not key or not _totp_matches(key, token):
        with transaction.atomic():
            audit_record(action=AuditEvent.Action.OTP_FAILED, actor=request.user, request=request, reason="enrolment")
        return None
    user: User = request.user
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(user=user, key=key, name="Trama", confirmed=True)
        codes = _replace_backup_codes(user)
        otp_login(request, device)
        audit_record(action=AuditEvent.Action.OTP_ENROLLED, actor=user, request=request, target=user)
    del request.session[SETUP_KEY]
    return codes


def otp_verify(*, request: HttpRequest, token: str) -> bool:
    user: User = request.user
    with transaction.atomic():
        device = match_token(user, token.strip().replace(" ", ""))
        if device is None:
            audit_record(action=AuditEvent.Action.OTP_FAILED, actor=user, request=request, outcome="failure")
            return False
        otp_login(request, device)
        audit_record(action=AuditEvent.Action.OTP_VERIFIED, actor=user, request=request, target=user)
    return True


def otp_regenerate_backup_codes(*, request: HttpRequest) -> list[str]:
    user: User = request.user
    with transaction.atomic():
        codes = _replace_backup_codes(user)
        audit_record(action=AuditEvent.Action.UPDATE, actor=user, request=request, target=user, reason="backup codes")
    return codes


def _replace_backup_codes(user: User) -> list[str]:
    device, _ = StaticDevice.objects.get_or_create(user=user, name="backup", defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def _totp_matches(key: str, token: str) -> bool:
    token = token.strip().replace(" ", "")
    if not token.isdigit():
        return False
    totp = TOTP(unhexlify(key), step=30, t0=0, digits=6, drift=0)
    return totp.verify(int(token), tolerance=1)
