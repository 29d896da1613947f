"""Per-connection budgets for the public forms ("I need help", activity sign-ups, "I want to help").

A `RateLimit` counts submissions per programme and client address in Django's cache, within a
window. The address is only a cache key: never logged, never stored with what was submitted. Each
form has its own scope, so one form's budget does not eat another's. (The cache is per process
until a shared cache is configured: see the operations notes in docs/architecture.md.)
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache

from trama.territory.models import Programme


@dataclass(frozen=True)
class RateLimit:
    scope: str
    limit: int
    window_seconds: int

    def _key(self, programme: Programme, client_ip: str) -> str:
        return f"trama:rate:{self.scope}:{programme.pk}:{client_ip}"

    def exceeded(self, *, programme: Programme, client_ip: str) -> bool:
        """Whether this address has used up its submissions for this programme in the window."""
        return cache.get(self._key(programme, client_ip), 0) >= self.limit

    def count(self, *, programme: Programme, client_ip: str) -> None:
        """Count one submission (a real one, or one caught by a honeypot)."""
        key = self._key(programme, client_ip)
        if not cache.add(key, 1, timeout=self.window_seconds):
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, timeout=self.window_seconds)
