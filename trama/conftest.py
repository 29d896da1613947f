"""Fixtures shared by the apps' tests: personas of two programmes, and a verified login."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from trama.accounts.models import Role, User
from trama.core.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    PartnershipFactory,
    ProgrammeFactory,
)
from trama.network.models import Organisation, Partnership
from trama.territory.models import Programme


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: object) -> None:
    """Real hashing costs ~0.3 s per password; tests do not measure it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


@pytest.fixture
def programme() -> Programme:
    return ProgrammeFactory(slug="programma-a", name="Programma A")


@pytest.fixture
def other_programme() -> Programme:
    return ProgrammeFactory(slug="programma-b", name="Programma B")


@pytest.fixture
def lead(programme: Programme) -> Organisation:
    organisation = OrganisationFactory(name="Capofila A")
    PartnershipFactory(programme=programme, organisation=organisation, role=Partnership.Role.LEAD)
    return organisation


@pytest.fixture
def member(programme: Programme, lead: Organisation) -> Callable[..., User]:
    """`member(role)` makes a user with that role in `programme` (for the lead, unless told)."""

    def make(role: str, *, of: Programme | None = None, organisation: Organisation | None = None) -> User:
        return MembershipFactory(programme=of or programme, organisation=organisation or lead, role=role).user

    return make


@pytest.fixture
def coordinator(member: Callable[..., User]) -> User:
    return member(Role.COORDINATOR)


@pytest.fixture
def operator(member: Callable[..., User]) -> User:
    return member(Role.OPERATOR)


@pytest.fixture
def evaluator(member: Callable[..., User]) -> User:
    return member(Role.EVALUATOR)


@pytest.fixture
def volunteer(member: Callable[..., User]) -> User:
    return member(Role.VOLUNTEER)


@pytest.fixture
def login() -> Callable[[Client, User], Client]:
    """Sign `user` in on `client` with the second factor already passed, as after a real login."""

    def sign_in(client: Client, user: User) -> Client:
        client.force_login(user)
        device, _ = TOTPDevice.objects.get_or_create(user=user, name="test", defaults={"confirmed": True})
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return client

    return sign_in
