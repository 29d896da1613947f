"""The RQ queue on Redis (`TRAMA_QUEUE_URL`); imported only when a broker is configured."""

from __future__ import annotations

from django.conf import settings
from redis import Redis
from rq import Queue

QUEUE_NAME = "trama"
# A regional report may take minutes; anything longer is stuck.
JOB_TIMEOUT_SECONDS = 30 * 60


def queue_connection() -> Redis:
    return Redis.from_url(settings.TRAMA_QUEUE_URL, socket_connect_timeout=2, socket_timeout=5)


def enqueue(job_pk: int) -> None:
    Queue(QUEUE_NAME, connection=queue_connection()).enqueue(
        "trama.jobs.services.run_job", job_pk, job_timeout=JOB_TIMEOUT_SECONDS, result_ttl=0, failure_ttl=24 * 3600
    )
