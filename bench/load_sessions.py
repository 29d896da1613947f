"""Signed-in sessions for the load scenario, made before it starts (bench/load.sh).

Signing in costs a deliberate ~0.5 s of CPU (PBKDF2 with Django's iteration count): fifty
simulated people signing in at once would spend the first seconds of a two-core machine on
password hashing and measure that instead of the pages. So the sessions are written here, the
way Django's login writes them, and locust's users pick one each; the login itself is timed
apart, once, and printed with the figures.

    python -m bench.load_sessions OUT.json  # {"email": ["session key", ...], ...}
"""

from __future__ import annotations

import json
import os
import sys
import time
from importlib import import_module

SESSIONS_PER_ACCOUNT = 30
ACCOUNTS = (
    "operatore.fbc@example.org",
    "laboratorio.fbc@example.org",
    "coordinatore.fbc@example.org",
    "valutatore.fbc@example.org",
    "finanziatore.fbc@example.org",
)
PASSWORD = "Trama-demo-2026"  # noqa: S105 — the public demo password (README)


def main(out: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trama.settings")
    import django
    from django.conf import settings

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils import timezone

    from trama.accounts.middleware import SESSION_SEEN, SESSION_STARTED
    from trama.accounts.models import User

    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys: dict[str, list[str]] = {}
    for email in ACCOUNTS:
        user = User.objects.get(email=email)
        keys[email] = []
        for _ in range(SESSIONS_PER_ACCOUNT):
            session = store()
            session[SESSION_KEY] = user._meta.pk.value_to_string(user)
            session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            now = timezone.now().isoformat()
            session[SESSION_STARTED] = now
            session[SESSION_SEEN] = now
            session.create()
            keys[email].append(session.session_key)
    started = time.perf_counter()
    User.objects.get(email=ACCOUNTS[0]).check_password(PASSWORD)
    print(f"One password check (the CPU cost of a login): {1000 * (time.perf_counter() - started):.0f} ms")
    with open(out, "w") as handle:
        json.dump(keys, handle)


if __name__ == "__main__":
    main(sys.argv[1])
