"""A list's download above `TRAMA_EXPORT_INLINE_ROWS` rows becomes a background job that replays
the list's view as its owner: same filters, same scoping, same columns, for the owner only; a job
whose owner lost the right to the list fails without a file."""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from trama.accounts.models import AuditEvent, Membership, Role, User
from trama.core.tests.factories import CommunityPlaceFactory, MembershipFactory
from trama.exchange import export_jobs
from trama.jobs.models import BackgroundJob
from trama.jobs.services import run_job
from trama.mutualaid.tests.factories import VolunteerFactory
from trama.territory.models import Programme

pytestmark = pytest.mark.django_db
# The page that asks before a long download (session, user, 2FA, memberships, the first rows up to the
# limit, the COUNT): the same
# whatever the length of the list.
ASKING_QUERIES = 8
ORTI = ["Orto Alfa", "Orto Beta", "Orto Gamma", "Orto Delta", "Orto Epsilon"]


@pytest.fixture(autouse=True)
def small_limit(settings):
    settings.TRAMA_EXPORT_INLINE_ROWS = 3
    settings.TRAMA_QUEUE_URL = ""


@pytest.fixture
def places(programme: Programme) -> None:
    for name in [*ORTI, "Biblioteca", "Palestra"]:
        CommunityPlaceFactory(programme=programme, name=name)


def place_list(programme: Programme) -> str:
    return reverse("network:place-list", args=[programme.slug])


def download(client, job: BackgroundJob) -> bytes:
    response = client.get(reverse("jobs:download", kwargs={"slug": job.programme.slug, "job_id": job.public_id}))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def export(client, url: str, query: dict[str, str]):
    """Ask for the file of a long list: the page asks first (a link starts nothing), its form starts the job."""
    asked = client.get(url, query)
    assert asked.status_code == 200
    assert not BackgroundJob.objects.exists()
    form = {key: asked.context[key] for key in ("path", "query")} | {"format": asked.context["file_format"]}
    return client.post(reverse("exchange:export-start", args=[asked.context["access"].programme.slug]), form)


def queued_job(client, url: str, query: dict[str, str], settings) -> BackgroundJob:
    """Start the export as if a broker were configured: the job stays queued (nothing commits in a test)."""
    settings.TRAMA_QUEUE_URL = "redis://127.0.0.1:1/0"
    response = export(client, url, query)
    settings.TRAMA_QUEUE_URL = ""
    assert response.status_code == 302
    return BackgroundJob.objects.get()


def test_it_downloads_a_short_list_at_once(client, login: Callable, coordinator: User, programme: Programme):
    for name in ORTI[:3]:
        CommunityPlaceFactory(programme=programme, name=name)
    login(client, coordinator)
    response = client.get(place_list(programme), {"export": "csv"})
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.csv"')
    assert sorted(row[1] for row in csv_rows(response.content)[1:]) == sorted(ORTI[:3])
    assert not BackgroundJob.objects.exists()


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_it_turns_a_long_list_into_a_job_with_the_same_filters(
    client, login: Callable, coordinator: User, programme: Programme, places: None, file_format: str
):
    login(client, coordinator)
    response = export(client, place_list(programme), {"q": "orto", "export": file_format, "page": "2"})

    job = BackgroundJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == job.get_absolute_url()
    assert (job.owner, job.programme, job.kind) == (coordinator, programme, export_jobs.KIND)
    assert job.params["path"] == place_list(programme)
    assert sorted(job.params["query"]) == [["export", file_format], ["q", "orto"]]
    assert job.status == BackgroundJob.Status.DONE
    assert job.result_name.startswith(f"luoghi-{programme.slug}-")
    assert job.result_name.endswith(f".{file_format}")
    assert client.get(job.get_absolute_url()).status_code == 200

    content = download(client, job)
    if file_format == "csv":
        names = [row[1] for row in csv_rows(content)[1:]]
    else:
        names = [row[1] for row in load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(values_only=True)][1:]
    assert sorted(names) == sorted(ORTI)
    built = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT, target_type="list:luoghi")
    assert built.actor == coordinator
    assert "5 rows" in built.reason
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, target_id=str(job.public_id)).count() == 1


def test_it_reports_progress_while_it_builds(coordinator: User, programme: Programme, places: None):
    steps: list[int] = []
    job = BackgroundJob.objects.create(
        programme=programme, owner=coordinator, kind=export_jobs.KIND,
        params={"path": place_list(programme), "query": [["export", "csv"]], "format": "csv", "language": "it"},
    )  # fmt: skip
    result = export_jobs.build_list_export(job, lambda percent, step: steps.append(percent))
    assert steps[0] == 5
    assert steps[-2:] == [90, 95]
    assert len(steps) == 2 + 7 + 1  # start, one per row read (7 rows), file built, file written
    assert steps == sorted(steps)
    assert len(csv_rows(result.content)) == 8


@pytest.mark.parametrize("count", [4, 20])
def test_it_decides_with_a_bounded_read_and_one_count_without_reading_the_list(
    client, login: Callable, coordinator: User, programme: Programme, count: int
):
    for number in range(count):
        CommunityPlaceFactory(programme=programme, name=f"Luogo {number}")
    login(client, coordinator)
    client.get(place_list(programme))  # the session's first request, whose queries do not count here
    with CaptureQueriesContext(connection) as queries:
        asked = client.get(place_list(programme), {"export": "csv"})
    assert asked.status_code == 200
    assert asked.context["total"] == count
    place_table = '"network_communityplace"'
    reads = [query["sql"] for query in queries.captured_queries if f"FROM {place_table}" in query["sql"]]
    assert len(reads) == 2
    assert "LIMIT 4" in reads[0]  # the limit (3) and one more row, to know the list is longer
    assert "COUNT(" in reads[1]
    assert len(queries.captured_queries) == ASKING_QUERIES


def test_a_link_to_a_long_list_starts_nothing_and_the_form_needs_its_csrf_token(
    login: Callable, coordinator: User, programme: Programme, places: None
):
    from django.test import Client

    client = login(Client(enforce_csrf_checks=True), coordinator)
    asked = client.get(place_list(programme), {"export": "csv"})
    assert asked.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in asked.content.decode()
    start = reverse("exchange:export-start", args=[programme.slug])
    assert (
        client.post(start, {"path": place_list(programme), "query": "export=csv", "format": "csv"}).status_code == 403
    )
    assert not BackgroundJob.objects.exists()


def test_the_form_cannot_start_a_download_of_another_programme_or_format(
    client, login: Callable, coordinator: User, programme: Programme, other_programme: Programme
):
    login(client, coordinator)
    start = reverse("exchange:export-start", args=[programme.slug])
    for path, file_format in (
        (place_list(other_programme), "csv"),
        ("/nowhere/", "csv"),
        (place_list(programme), "pdf"),
    ):
        assert client.post(start, {"path": path, "query": "", "format": file_format}).status_code == 400
    assert client.get(start).status_code == 405
    assert not BackgroundJob.objects.exists()


def test_an_evaluators_background_export_still_has_no_names(
    client, login: Callable, coordinator: User, programme: Programme, lead
):
    volunteers = [VolunteerFactory(programme=programme) for _ in range(4)]
    MembershipFactory(user=coordinator, programme=programme, organisation=lead, role=Role.EVALUATOR)
    login(client, coordinator)
    response = export(client, reverse("mutualaid:volunteer-list", args=[programme.slug]), {"export": "csv"})
    assert response.status_code == 302
    job = BackgroundJob.objects.get()
    content = download(client, job).decode("utf-8-sig")
    for volunteer in volunteers:
        assert str(volunteer.public_id) in content
        assert volunteer.person.last_name not in content
        assert volunteer.person.first_name not in content


def test_nobody_else_sees_or_downloads_the_file(
    client, login: Callable, coordinator: User, member: Callable, programme: Programme, places: None
):
    login(client, coordinator)
    export(client, place_list(programme), {"export": "csv"})
    job = BackgroundJob.objects.get(status=BackgroundJob.Status.DONE)
    login(client, member(Role.COORDINATOR))
    assert client.get(job.get_absolute_url()).status_code == 404
    answer = client.get(reverse("jobs:download", kwargs={"slug": programme.slug, "job_id": job.public_id}))
    assert answer.status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, target_id=str(job.public_id)).exists()


def test_a_job_whose_owner_left_the_programme_fails_without_a_file(
    client, login: Callable, coordinator: User, programme: Programme, places: None, settings
):
    login(client, coordinator)
    job = queued_job(client, place_list(programme), {"export": "csv"}, settings)
    Membership.objects.filter(user=coordinator, programme=programme).update(is_active=False)
    run_job(job.pk)
    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.FAILED
    assert not job.result
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, target_type="list:luoghi").exists()


def test_a_job_whose_owner_lost_the_role_of_the_list_fails(
    client, login: Callable, coordinator: User, programme: Programme, places: None, settings
):
    login(client, coordinator)
    job = queued_job(client, place_list(programme), {"export": "csv"}, settings)
    Membership.objects.filter(user=coordinator, programme=programme).update(role=Role.OPERATOR)
    run_job(job.pk)
    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.FAILED
    assert not job.result


def test_a_job_never_reads_another_programme(
    coordinator: User, programme: Programme, other_programme: Programme, member: Callable
):
    member(Role.COORDINATOR, of=other_programme)
    MembershipFactory(user=coordinator, programme=other_programme, role=Role.COORDINATOR)
    CommunityPlaceFactory(programme=other_programme, name="Altrove")
    job = BackgroundJob.objects.create(
        programme=programme, owner=coordinator, kind=export_jobs.KIND,
        params={"path": place_list(other_programme), "query": [["export", "csv"]], "format": "csv"},
    )  # fmt: skip
    run_job(job.pk)
    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.FAILED
    assert not job.result


def test_the_search_terms_never_reach_the_log(client, login: Callable, coordinator: User, programme: Programme, caplog):
    for number in range(4):
        CommunityPlaceFactory(programme=programme, name=f"Casa Zanzibarotti {number}")
    login(client, coordinator)
    with caplog.at_level(logging.DEBUG):
        response = export(client, place_list(programme), {"q": "Zanzibarotti", "export": "csv"})
    assert response.status_code == 302
    assert BackgroundJob.objects.get().status == BackgroundJob.Status.DONE
    assert "Zanzibarotti" not in caplog.text
    audit = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT, target_type="list:luoghi")
    assert "Zanzibarotti" not in audit.reason
