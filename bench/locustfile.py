"""The load scenario of `make bench` (bench/load.sh): the main journeys of each role against
gunicorn and PostgreSQL on 127.0.0.1, with the demo data. Never collected by pytest (gevent
patches the whole process).

Signed-in people reuse sessions made before the run (bench/load_sessions.py), so the figures are
the pages' and not fifty simultaneous password hashes. Weights follow a working day: visitors on
the public map and calendar, operators on their home, case list and case pages, lab managers on
their week and the check-in sheet, coordinators on the reach figures, evaluators and the funder's
contact now and then on the evaluation dashboard (the default period, a breakdown, another period).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
from datetime import date, timedelta

from locust import HttpUser, between, task

SLUG = "fare-benecomune"
# Sessions signed in before the run by bench/load_sessions.py (see there why), per account.
with open(os.environ["TRAMA_LOAD_SESSIONS"]) as _handle:
    SESSIONS = {email: itertools.cycle(keys) for email, keys in json.load(_handle).items()}


class SignedIn(HttpUser):
    abstract = True
    email = ""
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.client.cookies.set("sessionid", next(SESSIONS[self.email]))


class Visitor(HttpUser):
    weight = 4
    wait_time = between(1, 3)

    @task(3)
    def map_page(self) -> None:
        self.client.get(f"/{SLUG}/mappa/", name="public map")
        self.client.get(f"/{SLUG}/mappa/dati.geojson", name="public map data")

    @task(2)
    def calendar(self) -> None:
        self.client.get(f"/{SLUG}/calendario/", name="public calendar")

    @task(1)
    def home(self) -> None:
        self.client.get(f"/{SLUG}/", name="programme home")

    @task(1)
    def results(self) -> None:
        self.client.get(f"/{SLUG}/risultati/", name="public results")


class Operator(SignedIn):
    weight = 3
    email = "operatore.fbc@example.org"
    cases: list[str] = []

    def on_start(self) -> None:
        super().on_start()
        page = self.client.get(f"/area/{SLUG}/casi/", name="case list").text
        self.cases = re.findall(rf'href="(/area/{SLUG}/casi/[0-9a-f-]{{36}}/)"', page)

    @task(2)
    def home(self) -> None:
        self.client.get(f"/area/{SLUG}/", name="operator home")

    @task(1)
    def case_list(self) -> None:
        self.client.get(f"/area/{SLUG}/casi/", name="case list")

    @task(3)
    def case_page(self) -> None:
        if self.cases:
            self.client.get(random.choice(self.cases), name="case page")  # noqa: S311 — load, not security


class LabManager(SignedIn):
    weight = 2
    email = "laboratorio.fbc@example.org"
    sheets: list[str] = []

    def on_start(self) -> None:
        super().on_start()
        page = self.client.get(f"/area/{SLUG}/attivita/settimana/", name="lab week").text
        self.sheets = re.findall(r'data-link="checkin" href="([^"]+)"', page)

    @task(2)
    def week(self) -> None:
        self.client.get(f"/area/{SLUG}/attivita/settimana/", name="lab week")

    @task(3)
    def checkin(self) -> None:
        if self.sheets:
            self.client.get(random.choice(self.sheets), name="check-in sheet")  # noqa: S311


class Coordinator(SignedIn):
    weight = 1
    email = "coordinatore.fbc@example.org"

    @task
    def reach(self) -> None:
        self.client.get(f"/area/{SLUG}/attivita/partecipazione/", name="reach figures")

    @task
    def activities(self) -> None:
        self.client.get(f"/area/{SLUG}/attivita/", name="activity list")


class Evaluator(SignedIn):
    """An evaluator or the funder's contact (each simulated user is one of the two): the dashboard
    as it opens (from the programme's start to today), then a breakdown or a shorter period."""

    weight = 1
    emails = ("valutatore.fbc@example.org", "finanziatore.fbc@example.org")

    def on_start(self) -> None:
        self.email = random.choice(self.emails)  # noqa: S311
        super().on_start()

    @task(3)
    def dashboard(self) -> None:
        self.client.get(f"/area/{SLUG}/valutazione/", name="dashboard")

    @task(1)
    def breakdown(self) -> None:
        self.client.get(f"/area/{SLUG}/valutazione/?breakdown=municipality", name="dashboard breakdown")

    @task(1)
    def period(self) -> None:
        end = date.today()  # noqa: DTZ011 — locust runs on the server's machine: the same today
        start = end - timedelta(days=90)
        self.client.get(f"/area/{SLUG}/valutazione/?start={start}&end={end}", name="dashboard period")
