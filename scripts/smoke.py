"""The production-like smoke run, driven over HTTP against gunicorn (see scripts/smoke.sh).

An operator signs in and writes a session note holding a canary; a coordinator asks for the reach
report and the funder's report (PDF), which the worker builds from the Redis queue; both are
downloaded; the health endpoint is green. Exits non-zero on the first thing that does not work.
"""

from __future__ import annotations

import http.cookiejar
import json
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

BASE = sys.argv[1].rstrip("/")
CANARY = sys.argv[2]
PASSWORD = "Trama-demo-2026"  # noqa: S105 — the public demo password (README)
SLUG = "fare-benecomune"


class Browser:
    def __init__(self) -> None:
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> tuple[int, str, bytes]:
        with self.opener.open(BASE + path, timeout=60) as response:
            return response.status, response.geturl(), response.read()

    def post(self, path: str, data: dict[str, str], *, referer: str) -> tuple[int, str, bytes]:
        token = next(cookie.value for cookie in self.jar if cookie.name == "csrftoken")
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}).encode()
        request = urllib.request.Request(  # noqa: S310 — BASE is the smoke run's own http://127.0.0.1
            BASE + path, data=body, headers={"Referer": BASE + referer}
        )
        with self.opener.open(request, timeout=120) as response:
            return response.status, response.geturl(), response.read()

    def login(self, email: str) -> None:
        self.get("/accesso/")
        status, url, _ = self.post("/accesso/", {"username": email, "password": PASSWORD}, referer="/accesso/")
        check(status == 200 and "/accesso/" not in url, f"login of {email}")


def check(condition: bool, what: str) -> None:
    print(("ok   " if condition else "FAIL ") + what, flush=True)
    if not condition:
        sys.exit(1)


def main() -> None:
    status, _, body = Browser().get("/salute/")
    health = json.loads(body)
    check(status == 200 and health == {"status": "ok", "database": "ok", "cache": "ok", "queue": "ok"},
          f"health endpoint green: {health}")  # fmt: skip

    operator = Browser()
    operator.login("operatore.fbc@example.org")
    _, _, page = operator.get(f"/area/{SLUG}/percorsi/")
    pathway = re.search(rf'href="(/area/{SLUG}/percorsi/[0-9a-f-]{{36}}/)"', page.decode())
    check(pathway is not None, "the operator's pathways are listed")
    form_path = pathway.group(1) + "incontri/nuovo/"
    operator.get(form_path)
    today = time.strftime("%Y-%m-%d")
    status, url, answer = operator.post(
        form_path,
        {"day": today, "time": "10:00", "duration_minutes": "60", "modality": "in_person",
         "note": f"Colloquio riservato {CANARY}"},
        referer=form_path,
    )  # fmt: skip
    saved = status == 200 and url.endswith(pathway.group(1))  # back on the pathway: saved
    if not saved:
        errors = re.findall(r'class="[^"]*invalid-feedback[^"]*"[^>]*>([^<]+)', answer.decode())
        print(f"     answered {status} at {url}: {errors}")
    check(saved, "a session note with the canary is saved")

    coordinator = Browser()
    coordinator.login("coordinatore.fbc@example.org")
    reach = f"/area/{SLUG}/attivita/partecipazione/"
    coordinator.get(reach)
    status, job_url, _ = coordinator.post(
        reach + "rapporto/", {"start": "2025-09-01", "end": "2026-08-31", "breakdown": ""}, referer=reach
    )
    check(status == 200 and "/lavori/" in job_url, "the reach report is queued")
    job_path = urllib.parse.urlsplit(job_url).path
    for _attempt in range(120):
        _, _, page = coordinator.get(job_path)
        if b'id="job-download"' in page:
            break
        time.sleep(1)
    check(b'id="job-download"' in page, "the worker built the report")
    status, _, workbook = coordinator.get(job_path + "scarica/")
    check(status == 200 and workbook[:2] == b"PK", f"the report downloads as XLSX ({len(workbook)} bytes)")

    # The funder's report (evaluation): a PDF built by the worker, downloaded when ready.
    report = f"/area/{SLUG}/valutazione/rapporto/"
    coordinator.get(report)
    status, job_url, _ = coordinator.post(
        report, {"start": "2025-01-01", "end": time.strftime("%Y-%m-%d"), "file_format": "pdf"}, referer=report
    )
    check(status == 200 and "/lavori/" in job_url, "the funder's report is queued")
    job_path = urllib.parse.urlsplit(job_url).path
    for _attempt in range(180):
        _, _, page = coordinator.get(job_path)
        if b'id="job-download"' in page:
            break
        time.sleep(1)
    check(b'id="job-download"' in page, "the worker built the funder's report")
    status, _, document = coordinator.get(job_path + "scarica/")
    check(status == 200 and document[:4] == b"%PDF", f"the funder's report downloads as PDF ({len(document)} bytes)")


if __name__ == "__main__":
    main()
