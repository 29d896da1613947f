from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from trama.core.env import env_bool, env_choice, env_int, env_list, env_str


def test_it_reads_booleans_strictly(monkeypatch):
    monkeypatch.setenv("X_FLAG", "yes")
    assert env_bool("X_FLAG", False) is True
    monkeypatch.setenv("X_FLAG", "Off")
    assert env_bool("X_FLAG", True) is False
    monkeypatch.setenv("X_FLAG", "treu")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG"):
        env_bool("X_FLAG", False)


def test_it_refuses_a_non_integer_or_too_small_number(monkeypatch):
    monkeypatch.setenv("X_NUMBER", "ten")
    with pytest.raises(ImproperlyConfigured, match="X_NUMBER"):
        env_int("X_NUMBER", 1)
    monkeypatch.setenv("X_NUMBER", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env_int("X_NUMBER", 5, minimum=1)


def test_it_requires_a_value_without_default(monkeypatch):
    monkeypatch.delenv("X_REQUIRED", raising=False)
    with pytest.raises(ImproperlyConfigured, match="X_REQUIRED"):
        env_str("X_REQUIRED")
    assert env_str("X_REQUIRED", "fallback") == "fallback"


def test_it_refuses_empty_list_items_and_unknown_choices(monkeypatch):
    monkeypatch.setenv("X_LIST", "a,,b")
    with pytest.raises(ImproperlyConfigured):
        env_list("X_LIST", [])
    monkeypatch.setenv("X_LIST", "a, b")
    assert env_list("X_LIST", []) == ["a", "b"]
    monkeypatch.setenv("X_CHOICE", "maybe")
    with pytest.raises(ImproperlyConfigured):
        env_choice("X_CHOICE", "a", {"a", "b"})
