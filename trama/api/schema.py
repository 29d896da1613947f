"""How the OpenAPI schema describes what `trama.api.base` adds to every endpoint.

Every operation documents the error shape for the statuses it can answer, the `Idempotency-Key`
header of idempotent creates, and the `If-Match`/`ETag` pair of versioned records, so clients (and
schemathesis, which checks every answer against the schema) see the real contract.
"""

from __future__ import annotations

import re
from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from trama.api.base import (
    IDEMPOTENCY_HEADER,
    APIBaseView,
    ErrorSerializer,
    ETagMixin,
    IdempotentCreateMixin,
    ProgrammeAPIView,
)

UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"
SLUG_GROUP = re.compile(r"<slug:(\w+)>")


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "trama.api.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal token created at /account/api/ (Authorization: Bearer trama_…).",
        }


class AutoSchema(SpectacularAutoSchema):
    def _error_codes(self) -> list[str]:
        codes = {"400", "406"}
        if isinstance(self.view, APIBaseView):
            codes |= {"401", "403", "429"}
        if isinstance(self.view, ProgrammeAPIView) or "{" in self.path:
            codes |= {"403", "404"}
        if self.method in UNSAFE:
            codes |= {"409", "415"}
        if self.method in ("PUT", "PATCH") and isinstance(self.view, ETagMixin):
            codes |= {"412", "428"}
        return sorted(codes)

    def _get_response_bodies(self, direction: str = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction=direction)
        if direction != "response":
            return responses
        for code in self._error_codes():
            if code not in responses:
                responses[code] = self._get_response_for_code(ErrorSerializer, code, direction=direction)
        return responses

    def _get_response_headers_for_code(self, status_code: str, direction: str = "response") -> dict[str, Any]:
        headers = super()._get_response_headers_for_code(status_code, direction=direction)
        if isinstance(self.view, ETagMixin) and status_code.startswith("2") and self.method != "DELETE":
            headers["ETag"] = {
                "schema": {"type": "string"},
                "description": "The version of the record; send it back in If-Match to change it.",
            }
        if status_code == "429":
            headers["Retry-After"] = {"schema": {"type": "string"}, "description": "Seconds to wait."}
        return headers

    def get_override_parameters(self) -> list[Any]:
        parameters = list(super().get_override_parameters())
        # `<slug:…>` path arguments: say which characters route, so clients (and fuzzers) do not
        # build addresses that match no route at all.
        for name in SLUG_GROUP.findall(self.path_regex or ""):
            parameters.append(OpenApiParameter(name, OpenApiTypes.STR, OpenApiParameter.PATH, pattern=SLUG_PATTERN))
        if self.method == "POST" and isinstance(self.view, IdempotentCreateMixin):
            parameters.append(
                OpenApiParameter(
                    IDEMPOTENCY_HEADER,
                    OpenApiTypes.STR,
                    OpenApiParameter.HEADER,
                    required=False,
                    description="A key of your choice (at most 255 characters): a repeated request with the same key "
                    "and body creates nothing new and gets the first answer again.",
                )
            )
        if self.method in ("PUT", "PATCH") and isinstance(self.view, ETagMixin):
            parameters.append(
                OpenApiParameter(
                    "If-Match",
                    OpenApiTypes.STR,
                    OpenApiParameter.HEADER,
                    required=True,
                    description="The ETag of the record as you read it.",
                )
            )
        return parameters
