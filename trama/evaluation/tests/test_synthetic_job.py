"""`generate_synthetic --background`: in this process with no broker; on the RQ queue when one is
configured (a throwaway redis-server of the test's own: synchronous queue, and a real worker run in
burst mode), followed with its progress, state in the RQ job's meta; Ctrl-C stops the following,
not the job; the worker checks the database again before generating."""

from __future__ import annotations

import io
import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator

import pytest
from django.core.management import CommandError, call_command

from trama.evaluation import synthetic, synthetic_jobs
from trama.people.models import Person
from trama.territory.models import Programme

pytestmark = pytest.mark.django_db

TINY = {"programmes": 2, "people": 160, "households": 48, "attendances": 1500, "seed": 5}
JOB_ID = re.compile(r"Queued as job ([0-9a-f-]+)")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def broker(tmp_path, settings) -> Iterator[str]:
    """A private redis-server (CI installs it), named by TRAMA_QUEUE_URL for the test only."""
    server = shutil.which("redis-server")
    if server is None:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("redis-server is not installed: CI installs it and may not skip these tests")
        pytest.skip("redis-server is not installed")
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisDown

    port = _free_port()
    arguments = ["--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(tmp_path)]
    process = subprocess.Popen(  # noqa: S603 — a fixed program with fixed arguments
        [server, *arguments],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        for _ in range(200):
            try:
                if Redis.from_url(url).ping():
                    break
            except RedisDown:
                time.sleep(0.05)
        else:
            pytest.fail("the test's redis-server did not start")
        settings.TRAMA_QUEUE_URL = url
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def synchronous_queue(broker, monkeypatch) -> None:
    """RQ's own synchronous mode: the job runs inside `enqueue`, through RQ (meta, result, status)."""
    from rq import Queue

    from trama.jobs.queue import QUEUE_NAME, queue_connection

    monkeypatch.setattr(
        synthetic_jobs, "synthetic_queue", lambda: Queue(QUEUE_NAME, connection=queue_connection(), is_async=False)
    )


def run_worker() -> None:
    """What `manage.py run_jobs --burst` does: run the queued jobs in this process, then stop."""
    from rq import SimpleWorker

    queue = synthetic_jobs.synthetic_queue()
    SimpleWorker([queue], connection=queue.connection).work(burst=True, with_scheduler=False)


def command(name: str, *args: str, **options: object) -> str:
    out = io.StringIO()
    call_command(name, *args, stdout=out, **options)
    return out.getvalue()


def synthetic_people() -> int:
    return Person.objects.filter(programme__slug__startswith=f"{synthetic.SLUG_PREFIX}5-").count()


def test_it_generates_in_this_process_without_a_broker(settings):
    settings.TRAMA_QUEUE_URL = ""
    output = command("generate_synthetic", **TINY, background=True)
    assert synthetic_people() == 160
    assert not JOB_ID.search(output)
    assert "Synthetic dataset ready" in output


def test_status_needs_a_broker(settings):
    settings.TRAMA_QUEUE_URL = ""
    with pytest.raises(CommandError):
        command("synthetic_status", "0f0f")


def test_it_runs_on_the_queue_and_prints_its_progress(synchronous_queue):
    output = command("generate_synthetic", **TINY, background=True, verbosity=2)

    assert synthetic_people() == 160
    job_id = JOB_ID.search(output).group(1)
    assert "[  5%] Programmes" in output
    assert f"[ {synthetic_jobs.READY_PERCENT}%] Synthetic dataset ready" in output
    assert "  people.Person: 160" in output  # the counts, at verbosity 2, as in the foreground
    state = synthetic_jobs.synthetic_state(job_id)
    assert (state.status, state.progress, state.error) == ("finished", 100, "")
    assert state.counts["people.Person"] == 160
    assert state.counts["activities.Attendance"] == 1500
    percents = [percent for percent, _ in state.lines]
    assert percents == sorted(percents)


def test_no_wait_returns_at_once_and_status_follows_the_worker(broker):
    output = command("generate_synthetic", **TINY, background=True, no_wait=True)
    job_id = JOB_ID.search(output).group(1)
    assert f"synthetic_status {job_id}" in output
    assert synthetic_people() == 0
    assert "queued, 0%" in command("synthetic_status", job_id)

    run_worker()

    assert synthetic_people() == 160
    followed = command("synthetic_status", job_id, follow=True)
    assert "Programmes" in followed
    assert f"Job {job_id}: finished, 100%" in followed
    assert "  people.Person: 160" in followed


def test_ctrl_c_stops_the_following_not_the_job(broker, monkeypatch):
    def interrupted(seconds: float) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(synthetic_jobs, "pause", interrupted)
    output = command("generate_synthetic", **TINY, background=True)
    job_id = JOB_ID.search(output).group(1)
    assert f"synthetic_status {job_id} --follow" in output
    assert synthetic_jobs.synthetic_state(job_id).status == "queued"

    run_worker()

    assert synthetic_people() == 160
    assert synthetic_jobs.synthetic_state(job_id).status == "finished"


def test_the_worker_checks_the_database_again(broker):
    output = command("generate_synthetic", **TINY, background=True, no_wait=True)
    job_id = JOB_ID.search(output).group(1)
    command("generate_synthetic", **TINY)  # the same seed, generated meanwhile in the foreground
    assert Programme.objects.filter(slug__startswith=f"{synthetic.SLUG_PREFIX}5-").count() == 2

    run_worker()

    state = synthetic_jobs.synthetic_state(job_id)
    assert state.status == "failed"
    assert "seed 5" in state.error
    assert synthetic_people() == 160  # nothing generated twice
    with pytest.raises(CommandError):
        command("synthetic_status", job_id)


def test_status_knows_only_its_own_jobs(broker):
    assert synthetic_jobs.synthetic_state("no-such-job") is None
    with pytest.raises(CommandError):
        command("synthetic_status", "no-such-job")
