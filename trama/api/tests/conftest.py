"""Fixtures of the API tests (shared by every trama/api/tests module)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from trama.accounts.models import User
from trama.api.services import token_create


@pytest.fixture
def token_for() -> Callable[[User], str]:
    """`token_for(user)` creates a personal token of `user` and returns its secret."""

    def make(user: User) -> str:
        return token_create(actor=user, name="test", valid_days=None)[1]

    return make


@pytest.fixture
def api(token_for: Callable[[User], str]) -> Callable[[User | None], APIClient]:
    """`api(user)` is an API client sending a token of `user`; `api(None)` sends none."""

    def make(user: User | None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(user)}")
        return client

    return make
