from __future__ import annotations

from binascii import unhexlify

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from trama.accounts.models import AuditEvent
from trama.accounts.otp import SETUP_KEY

pytestmark = pytest.mark.django_db

HOME = reverse("accounts:home")


def _code(hex_key: str) -> str:
    return f"{totp(unhexlify(hex_key)):06d}"


def test_it_requires_an_operator_to_enrol_before_anything_else(client, operator, programme):
    client.force_login(operator)
    response = client.get(reverse("territory:programme-home", kwargs={"slug": programme.slug}))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp-setup"))


def test_it_lets_a_volunteer_in_without_a_second_factor(client, volunteer, programme):
    client.force_login(volunteer)
    response = client.get(reverse("territory:programme-home", kwargs={"slug": programme.slug}))
    assert response.status_code == 200


def test_it_lets_the_operator_in_when_two_factor_is_switched_off(client, operator, programme, settings):
    settings.TRAMA_REQUIRE_2FA = False
    client.force_login(operator)
    response = client.get(reverse("territory:programme-home", kwargs={"slug": programme.slug}))
    assert response.status_code == 200


def test_it_enrols_with_a_correct_code_and_shows_ten_backup_codes_once(client, operator):
    client.force_login(operator)
    page = client.get(reverse("accounts:otp-setup"))
    assert page.status_code == 200
    assert client.get(reverse("accounts:otp-qrcode"))["Content-Type"] == "image/svg+xml"
    key = client.session[SETUP_KEY]
    response = client.post(reverse("accounts:otp-setup"), {"token": _code(key)})
    assert response.status_code == 200
    assert len(response.context["codes"]) == 10
    assert TOTPDevice.objects.get(user=operator).confirmed
    # Verified now: the area opens instead of sending the operator back to enrolment.
    assert client.get(HOME, follow=True).status_code == 200
    assert client.get(HOME, follow=True).request["PATH_INFO"] != reverse("accounts:otp-setup")
    assert AuditEvent.objects.filter(action=AuditEvent.Action.OTP_ENROLLED, actor=operator).exists()


def test_it_refuses_enrolment_with_a_wrong_code(client, operator):
    client.force_login(operator)
    client.get(reverse("accounts:otp-setup"))
    response = client.post(reverse("accounts:otp-setup"), {"token": "000000"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not TOTPDevice.objects.filter(user=operator).exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.OTP_FAILED).exists()


def test_it_asks_an_enrolled_operator_for_the_code_at_the_next_login(client, operator, programme):
    device = TOTPDevice.objects.create(user=operator, name="phone", confirmed=True)
    client.force_login(operator)
    target = reverse("territory:programme-home", kwargs={"slug": programme.slug})
    response = client.get(target)
    assert response["Location"].startswith(reverse("accounts:otp-verify"))
    response = client.post(reverse("accounts:otp-verify"), {"token": "123456", "next": target})
    assert response.status_code == 200
    # A wrong code throttles the device for a moment (django-otp); the test does not wait.
    device.refresh_from_db()
    device.throttle_reset()
    response = client.post(reverse("accounts:otp-verify"), {"token": _code(device.key), "next": target})
    assert response.status_code == 302
    assert response["Location"] == target
    assert client.get(target).status_code == 200


def test_it_accepts_a_backup_code_only_once(client, operator):
    client.force_login(operator)
    client.get(reverse("accounts:otp-setup"))
    codes = client.post(reverse("accounts:otp-setup"), {"token": _code(client.session[SETUP_KEY])}).context["codes"]
    client.logout()
    client.force_login(operator)
    assert client.post(reverse("accounts:otp-verify"), {"token": codes[0]}).status_code == 302
    client.logout()
    client.force_login(operator)
    assert client.post(reverse("accounts:otp-verify"), {"token": codes[0]}).status_code == 200
    assert StaticToken.objects.filter(device__user=operator).count() == 9


def test_it_warns_in_the_deploy_check_when_two_factor_is_off(settings, capsys):
    settings.TRAMA_REQUIRE_2FA = False
    from trama.accounts.checks import check_two_factor_enabled

    assert [message.id for message in check_two_factor_enabled(None)] == ["trama.W001"]
    settings.TRAMA_REQUIRE_2FA = True
    assert check_two_factor_enabled(None) == []
    call_command("check", "--deploy", "--tag", "security", "--fail-level", "CRITICAL")


def test_it_regenerates_backup_codes_only_for_a_verified_session(client, operator, login):
    client.force_login(operator)
    assert client.post(reverse("accounts:backup-codes")).status_code in (302, 403)
    login(client, operator)
    response = client.post(reverse("accounts:backup-codes"))
    assert response.status_code == 200
    assert len(response.context["codes"]) == 10
