"""A list's CSV/XLSX download as a background job (`list-export`), for lists too long to build
while the person waits (`trama.exchange.listexport` decides, above `TRAMA_EXPORT_INLINE_ROWS` rows).

The job REPLAYS the list's own view as its owner: its parameters are only the list's path, the
query-string of the download link (the filters, as given: a search term may be a name, so the
parameters are never logged) and the file format. The view's `programme_view` decorator checks
the owner's membership and role again, its selector scopes the rows again, and `list_export`,
seeing the replay marker on the request, builds the file inline, reporting progress through it:
the file holds exactly what the owner may see with the filters they had, when the job runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest, QueryDict
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.translation import gettext_lazy

from trama.accounts.selectors import memberships_for_user
from trama.jobs.registry import JobKind, Progress, Result, register

KIND = "list-export"
# The attribute of a replayed request that makes `list_export` build the file inline.
REPLAY_ATTRIBUTE = "trama_list_export_replay"
# Never stored: the page number (the file is unpaginated).
UNSTORED = ("page",)
FILENAME = re.compile(r'filename="([^"]+)"')


class ReplayError(Exception):
    """The replayed view did not answer with the file (the list moved, or refused the owner)."""


@dataclass(frozen=True)
class Replay:
    progress: Progress


def export_params(path: str, query_string: str, file_format: str) -> dict[str, Any]:
    """The job's parameters: the list's path, its query-string (filters and format, never the page:
    the file is unpaginated) and language."""
    query = [[key, value] for key, values in QueryDict(query_string).lists() if key not in UNSTORED for value in values]
    return {
        "path": path,
        "query": query,
        "format": file_format,
        "language": translation.get_language() or settings.LANGUAGE_CODE,
    }


def startable(path: str, programme: Any) -> bool:
    """Whether `path` is a page of `programme` (the form's hidden field is checked, not trusted)."""
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return match.kwargs.get("slug") == programme.slug


def may_export(user: Any, programme: Any) -> bool:
    """Any active member may start one; the list's own view checks the role when the job runs."""
    return bool(memberships_for_user(user, programme))


def replay_request(job: Any, progress: Progress) -> HttpRequest:
    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = job.params["path"]
    query = QueryDict(mutable=True)
    for key, value in job.params["query"]:
        query.appendlist(key, value)
    query._mutable = False
    request.GET = query
    request.META = {"REQUEST_METHOD": "GET", "SERVER_NAME": "worker", "SERVER_PORT": "80"}
    request.user = job.owner
    setattr(request, REPLAY_ATTRIBUTE, Replay(progress=progress))
    return request


def build_list_export(job: Any, progress: Progress) -> Result:
    if not startable(job.params["path"], job.programme):
        raise ReplayError  # a job only ever reads the programme it was started in
    match = resolve(job.params["path"])
    request = replay_request(job, progress)
    with translation.override(job.params.get("language") or settings.LANGUAGE_CODE):
        request.LANGUAGE_CODE = translation.get_language()
        response = match.func(request, *match.args, **match.kwargs)
    disposition = FILENAME.search(response.get("Content-Disposition", ""))
    if response.status_code != 200 or disposition is None:
        raise ReplayError
    return Result(filename=disposition.group(1), content=response.content)


LIST_EXPORT = register(
    JobKind(
        code=KIND,
        label=gettext_lazy("Download of a list"),
        allowed=may_export,
        run=build_list_export,
    )
)
