"""The building blocks every endpoint of the REST API shares.

- `TokenAuthentication`: personal tokens (`Authorization: Bearer trama_…`); sessions are not
  accepted by the API, so it needs no CSRF protection (only the schema and docs pages also take
  the session of a signed-in person, read-only).
- `ProgrammeAPIView`: resolves `<slug:slug>` with the same `get_programme_access` the pages use
  and sets `self.access`; `roles` mirrors the page's `@programme_view(...)`.
- `Pagination`: `?page=`, `?page_size=` (at most 200), `{"count","next","previous","results"}`.
- `exception_handler`: the one error shape `{"error": {"code","message","fields"}}`.
- `IdempotentCreateMixin`: `Idempotency-Key` on POST creates (S24).
- `ETagMixin`: `ETag` from the row's `version`; `If-Match` required on PATCH/PUT (S21).

URLs: each domain module (`trama/api/<domain>.py`) exposes `urlpatterns`, a list of `path(...)`
relative to `/api/`, built on `PROGRAMME_PREFIX`, e.g.
`path(f"{PROGRAMME_PREFIX}people/<uuid:person_id>/", PersonDetail.as_view(), name="person-detail")`;
`trama/api/urls.py` concatenates them into the `api` namespace (`reverse("api:person-detail", ...)`).
Lists use `paginated(self, request, queryset, Serializer)`; details of versioned rows
`self.with_etag(Response(...), instance)`; updates pass `self.expected_version(request, instance)`
to the service; creates wrap the service call in `self.idempotent(request, create)`.

Writes go through the apps' services; their `ValidationError`, `PermissionDenied` and
`StaleVersionError` become API errors here, so an endpoint just calls the service.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any, ClassVar

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView, set_rollback

from trama.accounts.models import User
from trama.accounts.permissions import ProgrammeAccess, get_programme_access
from trama.api.authentication import TokenAuthentication, TokenRateThrottle
from trama.api.models import IdempotencyRecord
from trama.core.concurrency import StaleVersionError
from trama.core.models import VersionedModel
from trama.territory.models import Programme

logger = logging.getLogger(__name__)

# Every programme resource lives under /api/v1/programmes/<slug>/ (paths relative to /api/).
PROGRAMME_PREFIX = "v1/programmes/<slug:slug>/"

# --- Errors -------------------------------------------------------------------------------------


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = gettext_lazy("The record changed since you loaded it: load it again and repeat the change.")
    default_code = "precondition_failed"


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = gettext_lazy("Send the If-Match header with the ETag of the record you are changing.")
    default_code = "precondition_required"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("The request conflicts with the current state of the record.")
    default_code = "conflict"


# DRF's exception class → the stable `code` of the error shape.
_CODES: dict[type[exceptions.APIException], str] = {
    exceptions.ParseError: "parse_error",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "throttled",
    exceptions.ValidationError: "invalid",
}


def error_body(code: str, message: str, fields: dict[str, list[str]] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": str(message), "fields": fields or {}}}


def _field_errors(detail: Any) -> dict[str, list[str]]:
    """DRF's nested error detail, flattened to {field: [messages]} (nested paths joined by dots)."""
    out: dict[str, list[str]] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), inner)
        elif isinstance(value, list) and value and all(isinstance(item, (dict, list)) for item in value):
            for index, inner in enumerate(value):
                walk(f"{prefix}.{index}" if prefix else str(index), inner)
        elif isinstance(value, list):
            out.setdefault(prefix or "non_field_errors", []).extend(str(item) for item in value)
        else:
            out.setdefault(prefix or "non_field_errors", []).append(str(value))

    walk("", detail)
    return out


def django_validation_fields(error: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {
            ("non_field_errors" if key == "__all__" else key): [str(m) for m in messages]
            for key, messages in error.message_dict.items()
        }
    return {"non_field_errors": [str(m) for m in error.messages]}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every API error in one shape (REST_FRAMEWORK["EXCEPTION_HANDLER"])."""
    headers: dict[str, str] = {}
    if isinstance(exc, DjangoValidationError):
        status_code, code = 400, "invalid"
        fields = django_validation_fields(exc)
        message = _("The data sent is not valid.")
    elif isinstance(exc, StaleVersionError):
        status_code, code, fields = 409, "conflict", {}
        message = _("Someone else changed this record in the meantime: load it again and repeat the change.")
    elif isinstance(exc, Http404):
        status_code, code, fields, message = 404, "not_found", {}, _("Not found.")
    elif isinstance(exc, DjangoPermissionDenied):
        status_code, code, fields = 403, "permission_denied", {}
        message = _("You do not have permission to perform this action.")
    elif isinstance(exc, exceptions.APIException):
        status_code = exc.status_code
        code = _CODES.get(type(exc)) or exc.default_code
        if isinstance(exc, exceptions.ValidationError):
            fields, message = _field_errors(exc.detail), _("The data sent is not valid.")
        else:
            fields, message = {}, str(exc.detail) if not isinstance(exc.detail, (dict, list)) else code
        auth_header = getattr(exc, "auth_header", None)
        if auth_header:
            headers["WWW-Authenticate"] = auth_header
        if getattr(exc, "wait", None) is not None:
            headers["Retry-After"] = str(int(exc.wait))
    else:
        logger.error("Unhandled error in the API", exc_info=exc)
        status_code, code, fields = 500, "server_error", {}
        message = _("An unexpected error occurred. The team has been notified.")
    set_rollback()
    return Response(error_body(code, message, fields), status=status_code, headers=headers)


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class ErrorSerializer(serializers.Serializer):
    """The one error shape of the API (documented on every operation)."""

    error = ErrorDetailSerializer()


# --- Pagination ---------------------------------------------------------------------------------


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


# --- Views --------------------------------------------------------------------------------------


class APIBaseView(APIView):
    """Token authentication only, signed-in users only, throttled per token."""

    authentication_classes: ClassVar[list] = [TokenAuthentication]
    permission_classes: ClassVar[list] = [IsAuthenticated]
    throttle_classes: ClassVar[list] = [TokenRateThrottle]
    # Read by the schema generator: list responses are documented in the pagination envelope,
    # with `page` and `page_size`, as `paginated()` returns them.
    pagination_class = Pagination

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        # PostgreSQL refuses NUL in text: a filter carrying one is the client's error, not ours.
        for name, values in request.query_params.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                raise exceptions.ValidationError({name.replace("\x00", ""): [_("Null characters are not allowed.")]})


class ProgrammeAPIView(APIBaseView):
    """An endpoint under `/api/v1/programmes/<slug>/…`.

    `roles` lists exactly the roles of the page for the same data (`@programme_view(...)`); empty
    means any active member. A programme the user is not a member of answers 404, like the pages;
    a member without the role answers 403, like the pages.

    Subclasses may set `write_roles` for the unsafe methods when the page that changes the data is
    open to fewer roles than the page that shows it.
    """

    roles: ClassVar[tuple[str, ...]] = ()
    write_roles: ClassVar[tuple[str, ...] | None] = None
    access: ProgrammeAccess

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        roles = self.roles
        if request.method not in ("GET", "HEAD", "OPTIONS") and self.write_roles is not None:
            roles = self.write_roles
        self.access = get_programme_access(request.user, kwargs["slug"], roles=roles or None)

    @property
    def programme(self) -> Programme:
        return self.access.programme


def valid_data(serializer_class: type, request: Request, view: ProgrammeAPIView, **kwargs: Any) -> dict[str, Any]:
    """`request.data` validated by an input serializer (400 with its fields otherwise); the
    serializer's context carries the programme, so reference fields can scope their lookups."""
    context = {"programme": view.programme, "request": request, "view": view, **kwargs.pop("context", {})}
    serializer = serializer_class(data=request.data, context=context, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def paginated(view: APIView, request: Request, queryset: Iterable[Any], serializer_class: type) -> Response:
    """One page of `queryset`, serialised, in the pagination envelope."""
    paginator = Pagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    data = serializer_class(page, many=True, context={"request": request, "view": view}).data
    return paginator.get_paginated_response(data)


# --- Idempotent creates (S24) --------------------------------------------------------------------

IDEMPOTENCY_HEADER = "Idempotency-Key"
# How long a concurrent twin waits for the first request to finish before giving up with 409.
IDEMPOTENCY_WAIT_SECONDS = 20.0
_POLL_SECONDS = 0.05


def _request_hash(request: Request) -> str:
    try:
        body = json.dumps(request.data, sort_keys=True, cls=DjangoJSONEncoder, default=str)
    except (TypeError, ValueError):
        body = repr(request.data)
    raw = f"{request.method}\n{request.path}\n{body}"
    return hashlib.sha256(raw.encode()).hexdigest()


class IdempotentCreateMixin:
    """Wrap a create in `self.idempotent(request, create)`.

    Without the header the create simply runs. With it, the first request stores (user, key,
    request hash) BEFORE creating, in its own committed transaction; the create and the stored
    response are then written together. A replay with the same body gets the stored response
    (header `Idempotent-Replayed: true`); the same key with another body answers 409; a twin that
    arrives while the first is still running waits for its answer. A create that fails releases
    the key, so the client can correct the body and retry with it.
    """

    def idempotent(self, request: Request, create: Callable[[], Response]) -> Response:
        key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
        if not key:
            return create()
        if len(key) > 255:
            raise exceptions.ValidationError({IDEMPOTENCY_HEADER: [_("Use at most 255 characters.")]})
        request_hash = _request_hash(request)
        record = self._claim(request.user, key, request_hash)
        if record is None:
            return self._replay(request.user, key, request_hash)
        try:
            with transaction.atomic():
                response = create()
                body = json.loads(json.dumps(response.data, cls=DjangoJSONEncoder, default=str))
                IdempotencyRecord.objects.filter(pk=record.pk).update(
                    status_code=response.status_code, response_body=body
                )
        except BaseException:
            IdempotencyRecord.objects.filter(pk=record.pk, status_code__isnull=True).delete()
            raise
        return response

    @staticmethod
    def _claim(user: User, key: str, request_hash: str) -> IdempotencyRecord | None:
        # Outside any transaction this commits at once, so concurrent twins see the row (they
        # block on the unique index until it commits, then fail); inside one (tests) it is a
        # savepoint, so the failed insert does not break the outer transaction.
        try:
            with transaction.atomic():
                return IdempotencyRecord.objects.create(user=user, key=key, request_hash=request_hash)
        except IntegrityError:
            return None

    @staticmethod
    def _replay(user: User, key: str, request_hash: str) -> Response:
        deadline = time.monotonic() + IDEMPOTENCY_WAIT_SECONDS
        while True:
            record = IdempotencyRecord.objects.filter(user=user, key=key).first()
            if record is None:
                raise Conflict(_("A request with this Idempotency-Key failed: send it again."))
            if record.request_hash != request_hash:
                raise Conflict(_("This Idempotency-Key was already used for a different request."))
            if record.status_code is not None:
                replayed = {"Idempotent-Replayed": "true"}
                return Response(record.response_body, status=record.status_code, headers=replayed)
            if time.monotonic() > deadline:
                raise Conflict(_("A request with this Idempotency-Key is still being processed."))
            time.sleep(_POLL_SECONDS)


# --- Optimistic concurrency (S21) ------------------------------------------------------------------


def etag_for(instance: VersionedModel) -> str:
    return f'"{instance.version}"'


def with_etag(response: Response, instance: VersionedModel) -> Response:
    response["ETag"] = etag_for(instance)
    return response


class ETagMixin:
    """`ETag` on reads of a versioned row; `If-Match` required on its updates.

    `self.with_etag(response, instance)` sets the header; `self.expected_version(request, instance)`
    returns the version the client saw (428 without If-Match, 412 when it is not the current one),
    to pass to the app's service as `expected_version` (which raises StaleVersionError → 409 when
    another write lands in between).
    """

    with_etag = staticmethod(with_etag)

    @staticmethod
    def expected_version(request: Request, instance: VersionedModel) -> int:
        header = request.headers.get("If-Match", "").strip()
        if not header:
            raise PreconditionRequired
        tags = [tag.strip().removeprefix("W/") for tag in header.split(",")]
        if etag_for(instance) not in tags:
            raise PreconditionFailed
        return instance.version


# --- Services -------------------------------------------------------------------------------------


def call_service(service: Callable[..., Any], request: Request, **kwargs: Any) -> Any:
    """Call a service as the request's user (`actor=`). Its errors become API errors in
    `exception_handler` (ValidationError → 400 with fields, PermissionDenied → 403,
    StaleVersionError → 409)."""
    return service(actor=request.user, **kwargs)
