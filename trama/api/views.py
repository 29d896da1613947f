"""The root of the API, its schema, and the browsable documentation page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from trama.accounts.models import Membership
from trama.api.base import PROGRAMME_PREFIX, APIBaseView, ProgrammeAPIView


class ProgrammeLinkSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())
    url = serializers.CharField()


class RootSerializer(serializers.Serializer):
    programmes = ProgrammeLinkSerializer(many=True)


class ApiRoot(APIBaseView):
    """The programmes the token's user is an active member of, with their roles."""

    @extend_schema(operation_id="root", responses=RootSerializer, tags=["root"])
    def get(self, request: Request) -> Response:
        memberships = (
            Membership.objects.active()
            .filter(user=request.user)
            .select_related("programme")
            .order_by("programme__name", "role")
        )
        programmes: dict[int, dict] = {}
        for membership in memberships:
            entry = programmes.setdefault(
                membership.programme_id,
                {
                    "slug": membership.programme.slug,
                    "name": membership.programme.name,
                    "roles": [],
                    "url": request.build_absolute_uri(
                        reverse("api:programme", kwargs={"slug": membership.programme.slug})
                    ),
                },
            )
            if membership.role not in entry["roles"]:
                entry["roles"].append(membership.role)
        return Response(RootSerializer({"programmes": list(programmes.values())}).data)


class ProgrammeIndexSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())
    resources = serializers.DictField(child=serializers.CharField(), help_text="Resource name → address of its list.")


def _list_routes() -> list[str]:
    """The names of the programme's list endpoints (routes under the prefix with no other argument)."""
    from trama.api import urls

    return [
        pattern.name
        for pattern in urls.urlpatterns
        if str(pattern.pattern).startswith(PROGRAMME_PREFIX)
        and set(pattern.pattern.converters) == {"slug"}
        and pattern.name
        and pattern.name.endswith("-list")
    ]


class ProgrammeIndex(ProgrammeAPIView):
    """One programme: the user's roles in it and the addresses of its resources."""

    @extend_schema(operation_id="programme_retrieve", responses=ProgrammeIndexSerializer, tags=["root"])
    def get(self, request: Request, slug: str) -> Response:
        programme = self.programme
        resources = {
            name.removesuffix("-list"): request.build_absolute_uri(reverse(f"api:{name}", kwargs={"slug": slug}))
            for name in _list_routes()
        }
        roles = sorted(self.access.roles)
        body = {"slug": programme.slug, "name": programme.name, "roles": roles, "resources": resources}
        return Response(ProgrammeIndexSerializer(body).data)


class SchemaView(SpectacularAPIView):
    """The OpenAPI schema, for signed-in people (session, read-only) and token holders."""


@login_required
def api_docs(request: HttpRequest) -> HttpResponse:
    return render(request, "api/docs.html", {"schema_url": reverse("api:schema")})
