from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "a-production-like-secret-key-with-more-than-fifty-characters-0123456789",
    "DJANGO_ALLOWED_HOSTS": "trama.example.org",
    "DJANGO_SECURE_SSL_REDIRECT": "true",
    "DJANGO_SECURE_COOKIES": "true",
    "TRAMA_REQUIRE_2FA": "true",
    "TRAMA_FIELD_ENCRYPTION_KEYS": "3q2-7wxKj0C6lKXbXl1hF5pZ8yQvN2mR4tY6uI8oP0A=",
    "TRAMA_PSEUDONYM_KEY": "a-production-like-pseudonym-key",
    "PATH": os.environ.get("PATH", ""),
}


def _deploy_check(**overrides: str) -> subprocess.CompletedProcess[str]:
    env = {**PRODUCTION_ENV, **overrides}
    if "DATABASE_URL" in os.environ:
        env["DATABASE_URL"] = os.environ["DATABASE_URL"]
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_it_sends_a_strict_content_security_policy(client):
    policy = client.get(reverse("portal:index"))["Content-Security-Policy"]
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy
    assert "default-src 'self'" in policy


def test_it_sends_the_security_headers(client):
    response = client.get(reverse("portal:index"))
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_it_forbids_caching_of_authenticated_pages(client, volunteer, login):
    login(client, volunteer)
    response = client.get(reverse("accounts:security"))
    assert "no-store" in response["Cache-Control"]


def test_it_passes_the_deploy_check_with_production_settings():
    result = _deploy_check()
    assert result.returncode == 0, result.stdout + result.stderr


def test_it_fails_the_deploy_check_when_two_factor_is_off():
    result = _deploy_check(TRAMA_REQUIRE_2FA="false")
    assert result.returncode != 0
    assert "trama.W001" in result.stdout + result.stderr


def test_it_refuses_to_start_without_a_secret_key_in_production():
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != "DJANGO_SECRET_KEY"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_it_refuses_to_run_in_production_without_the_keys_outside_the_database():
    result = _deploy_check(TRAMA_FIELD_ENCRYPTION_KEYS="", TRAMA_PSEUDONYM_KEY="")
    assert result.returncode != 0
    assert "trama.E001" in result.stderr + result.stdout
    assert "trama.E002" in result.stderr + result.stdout
