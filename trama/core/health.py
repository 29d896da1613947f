"""The health endpoint for the reverse proxy and monitoring: `/salute/` answers 200 with what it
checked when the database, the cache and the job queue answer, 503 otherwise. It says nothing
about the data (no counts, no versions) and needs no login."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _cache() -> str:
    key = f"trama:health:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    ok = cache.get(key) == "1"
    cache.delete(key)
    return "ok" if ok else "error"


def _queue() -> str:
    if not settings.TRAMA_QUEUE_URL:
        return "in-process"
    from trama.jobs.queue import queue_connection

    queue_connection().ping()
    return "ok"


CHECKS = {"database": _database, "cache": _cache, "queue": _queue}


@never_cache
@require_safe
def health(request: HttpRequest) -> JsonResponse:
    results = {}
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception:
            results[name] = "error"
    healthy = all(value != "error" for value in results.values())
    return JsonResponse({"status": "ok" if healthy else "error", **results}, status=200 if healthy else 503)
