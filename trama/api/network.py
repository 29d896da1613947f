"""Organisations, community places and citizen groups of a programme's network.

Same roles as the pages (trama/network/views.py): the network (organisations) and the citizen
groups are the coordinators'; places are the coordinators' and, for the places their organisation
runs, the lab managers'. Writes go through trama.network.services.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from trama.accounts.models import Role
from trama.api.base import (
    PROGRAMME_PREFIX,
    ETagMixin,
    IdempotentCreateMixin,
    ProgrammeAPIView,
    paginated,
    valid_data,
    with_etag,
)
from trama.api.fields import MunicipalityField, PublicIdField
from trama.network import services, taxonomy
from trama.network.models import CitizenGroup, CommunityPlace, Organisation, Partnership, TaxonomyTerm
from trama.network.selectors import groups_for, places_for, programme_organisations, programme_partnerships

QUERY = OpenApiParameter("q", str, description="Text search on names (and addresses of places).")


class TermCodesField(serializers.ListField):
    """Taxonomy terms of one vocabulary by code."""

    def __init__(self, *, vocabulary: str, **kwargs: Any) -> None:
        self.vocabulary = vocabulary
        codes = [entry[0] for entry in taxonomy.VOCABULARIES[vocabulary]]
        super().__init__(child=serializers.ChoiceField(choices=codes), **kwargs)

    def to_internal_value(self, data: Any) -> list[TaxonomyTerm]:
        codes = super().to_internal_value(data)
        return list(TaxonomyTerm.objects.filter(vocabulary=self.vocabulary, code__in=codes))

    def to_representation(self, value: Any) -> list[str]:
        return [term.code for term in value.all()]


# --- Organisations (coordinators) ---------------------------------------------------------------


class OrganisationSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="organisation.public_id", read_only=True)
    name = serializers.CharField(source="organisation.name")
    kind = serializers.ChoiceField(source="organisation.kind", choices=Organisation.Kind.choices)
    tax_code = serializers.CharField(source="organisation.tax_code")
    vat_number = serializers.CharField(source="organisation.vat_number")
    runts_number = serializers.CharField(source="organisation.runts_number")
    description = serializers.CharField(source="organisation.description")
    email = serializers.CharField(source="organisation.email")
    phone = serializers.CharField(source="organisation.phone")
    website = serializers.CharField(source="organisation.website")
    address = serializers.CharField(source="organisation.address")
    municipality = serializers.CharField(source="organisation.municipality.istat_code", allow_null=True, default=None)
    role = serializers.ChoiceField(choices=Partnership.Role.choices)
    start_date = serializers.DateField(allow_null=True)
    end_date = serializers.DateField(allow_null=True)
    cofinancing = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)


class OrganisationInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=Organisation.Kind.choices)
    tax_code = serializers.CharField(max_length=16, required=False, allow_blank=True, default="")
    vat_number = serializers.CharField(max_length=11, required=False, allow_blank=True, default="")
    runts_number = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    description = serializers.CharField(required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    website = serializers.URLField(required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    municipality = MunicipalityField(required=False, allow_null=True, default=None)
    role = serializers.ChoiceField(choices=Partnership.Role.choices)
    start_date = serializers.DateField(required=False, allow_null=True, default=None)
    end_date = serializers.DateField(required=False, allow_null=True, default=None)
    cofinancing = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True, default=None
    )

    PARTNERSHIP = ("role", "start_date", "end_date", "cofinancing")


def _partnerships(view: ProgrammeAPIView) -> Any:
    return programme_partnerships(view.programme).select_related("organisation__municipality")


class OrganisationList(IdempotentCreateMixin, ProgrammeAPIView):
    roles = (Role.COORDINATOR,)

    @extend_schema(
        operation_id="organisations_list",
        parameters=[QUERY, OpenApiParameter("role", str, enum=Partnership.Role.values)],
        responses=OrganisationSerializer(many=True),
        tags=["network"],
    )
    def get(self, request: Request, slug: str) -> Response:
        rows = _partnerships(self)
        if query := request.query_params.get("q", "").strip():
            rows = rows.filter(organisation__name__icontains=query)
        if (role := request.query_params.get("role", "")) in Partnership.Role.values:
            rows = rows.filter(role=role)
        return paginated(self, request, rows, OrganisationSerializer)

    @extend_schema(
        operation_id="organisations_create",
        request=OrganisationInputSerializer,
        responses={201: OrganisationSerializer},
        tags=["network"],
    )
    def post(self, request: Request, slug: str) -> Response:
        return self.idempotent(request, lambda: self._create(request))

    def _create(self, request: Request) -> Response:
        data = valid_data(OrganisationInputSerializer, request, self)
        partnership_fields = {key: data.pop(key) for key in OrganisationInputSerializer.PARTNERSHIP}
        organisation = services.organisation_save(actor=request.user, programme=self.programme, fields=data)
        partnership = services.partnership_set(
            actor=request.user, programme=self.programme, organisation=organisation, **partnership_fields
        )
        row = _partnerships(self).get(pk=partnership.pk)
        return Response(OrganisationSerializer(row).data, status=status.HTTP_201_CREATED)


class OrganisationDetail(ProgrammeAPIView):
    roles = (Role.COORDINATOR,)

    @extend_schema(operation_id="organisations_retrieve", responses=OrganisationSerializer, tags=["network"])
    def get(self, request: Request, slug: str, organisation_id: str) -> Response:
        row = _partnerships(self).filter(organisation__public_id=organisation_id).first()
        if row is None:
            raise Http404
        return Response(OrganisationSerializer(row).data)


# --- Places (coordinators; lab managers for their organisation's) -------------------------------


class PlaceSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    kind = serializers.ChoiceField(choices=CommunityPlace.Kind.choices)
    name = serializers.CharField()
    description = serializers.CharField()
    managing_organisation = serializers.UUIDField(source="managing_organisation.public_id")
    managing_organisation_name = serializers.CharField(source="managing_organisation.name")
    address = serializers.CharField()
    postal_code = serializers.CharField()
    municipality = serializers.CharField(source="municipality.istat_code")
    municipality_name = serializers.CharField(source="municipality.name")
    latitude = serializers.DecimalField(max_digits=8, decimal_places=5, allow_null=True)
    longitude = serializers.DecimalField(max_digits=8, decimal_places=5, allow_null=True)
    services = TermCodesField(vocabulary=taxonomy.SERVICE)
    email = serializers.CharField()
    phone = serializers.CharField()
    website = serializers.CharField()
    accessibility = serializers.CharField()
    is_published = serializers.BooleanField()
    version = serializers.IntegerField()


class PlaceInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=CommunityPlace.Kind.choices)
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    managing_organisation = PublicIdField()
    address = serializers.CharField(max_length=200)
    postal_code = serializers.RegexField(r"^\d{5}$", required=False, allow_blank=True)
    municipality = MunicipalityField()
    latitude = serializers.DecimalField(max_digits=8, decimal_places=5, required=False, allow_null=True)
    longitude = serializers.DecimalField(max_digits=8, decimal_places=5, required=False, allow_null=True)
    services = TermCodesField(vocabulary=taxonomy.SERVICE, required=False)
    email = serializers.EmailField(required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    website = serializers.URLField(required=False, allow_blank=True)
    accessibility = serializers.CharField(required=False, allow_blank=True)
    is_published = serializers.BooleanField(required=False)


def _places(view: ProgrammeAPIView) -> Any:
    return places_for(view.access).prefetch_related("services")


def _place_context(view: ProgrammeAPIView) -> dict[str, Any]:
    organisations = programme_organisations(view.programme)
    if not view.access.has_role(Role.COORDINATOR):
        organisations = organisations.filter(
            pk__in=[m.organisation_id for m in view.access.memberships if m.role == Role.LAB_MANAGER]
        )
    return {"programme": view.programme, "managing_organisation_queryset": organisations}


class PlaceList(IdempotentCreateMixin, ProgrammeAPIView):
    roles = (Role.COORDINATOR, Role.LAB_MANAGER)
    write_roles = (Role.COORDINATOR,)

    @extend_schema(
        operation_id="places_list",
        parameters=[QUERY, OpenApiParameter("kind", str, enum=CommunityPlace.Kind.values)],
        responses=PlaceSerializer(many=True),
        tags=["network"],
    )
    def get(self, request: Request, slug: str) -> Response:
        kind = request.query_params.get("kind", "")
        places = places_for(
            self.access,
            query=request.query_params.get("q", "").strip(),
            kind=kind if kind in CommunityPlace.Kind.values else "",
        ).prefetch_related("services")
        return paginated(self, request, places, PlaceSerializer)

    @extend_schema(
        operation_id="places_create", request=PlaceInputSerializer, responses={201: PlaceSerializer}, tags=["network"]
    )
    def post(self, request: Request, slug: str) -> Response:
        return self.idempotent(request, lambda: self._create(request))

    def _create(self, request: Request) -> Response:
        data = valid_data(PlaceInputSerializer, request, self, context=_place_context(self))
        terms = data.pop("services", None)
        place = services.place_save(actor=request.user, programme=self.programme, fields=data, services=terms)
        place = _places(self).get(pk=place.pk)
        return with_etag(Response(PlaceSerializer(place).data, status=status.HTTP_201_CREATED), place)


class PlaceDetail(ETagMixin, ProgrammeAPIView):
    roles = (Role.COORDINATOR, Role.LAB_MANAGER)

    def _place(self, place_id: str) -> CommunityPlace:
        place = _places(self).filter(public_id=place_id).first()
        if place is None:
            raise Http404
        return place

    @extend_schema(operation_id="places_retrieve", responses=PlaceSerializer, tags=["network"])
    def get(self, request: Request, slug: str, place_id: str) -> Response:
        place = self._place(place_id)
        return self.with_etag(Response(PlaceSerializer(place).data), place)

    @extend_schema(
        operation_id="places_partial_update", request=PlaceInputSerializer, responses=PlaceSerializer, tags=["network"]
    )
    def patch(self, request: Request, slug: str, place_id: str) -> Response:
        place = self._place(place_id)
        expected = self.expected_version(request, place)
        data = valid_data(PlaceInputSerializer, request, self, context=_place_context(self), partial=True)
        terms = data.pop("services", None)
        services.place_save(
            actor=request.user,
            programme=self.programme,
            place=place,
            expected_version=expected,
            fields=data,
            services=terms,
        )
        place = self._place(place_id)
        return self.with_etag(Response(PlaceSerializer(place).data), place)


# --- Citizen groups (coordinators) --------------------------------------------------------------


class GroupSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    name = serializers.CharField()
    description = serializers.CharField()
    themes = TermCodesField(vocabulary=taxonomy.THEME)
    neighbourhood = serializers.CharField()
    municipality = serializers.CharField(source="municipality.istat_code")
    municipality_name = serializers.CharField(source="municipality.name")
    latitude = serializers.DecimalField(max_digits=8, decimal_places=5, allow_null=True)
    longitude = serializers.DecimalField(max_digits=8, decimal_places=5, allow_null=True)
    location_precision = serializers.ChoiceField(choices=CitizenGroup.Precision.choices)
    public_contact = serializers.CharField()
    contact_name = serializers.CharField()
    contact_email = serializers.CharField()
    contact_phone = serializers.CharField()
    contact_consent_on = serializers.DateField(allow_null=True)
    is_published = serializers.BooleanField()
    version = serializers.IntegerField()


class GroupInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    themes = TermCodesField(vocabulary=taxonomy.THEME, required=False)
    neighbourhood = serializers.CharField(max_length=120, required=False, allow_blank=True)
    municipality = MunicipalityField()
    latitude = serializers.DecimalField(max_digits=8, decimal_places=5, required=False, allow_null=True)
    longitude = serializers.DecimalField(max_digits=8, decimal_places=5, required=False, allow_null=True)
    location_precision = serializers.ChoiceField(choices=CitizenGroup.Precision.choices, required=False)
    public_contact = serializers.CharField(max_length=200, required=False, allow_blank=True)
    contact_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    contact_email = serializers.EmailField(required=False, allow_blank=True)
    contact_phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    contact_consent_on = serializers.DateField(required=False, allow_null=True)
    is_published = serializers.BooleanField(required=False)


def _groups(view: ProgrammeAPIView) -> Any:
    return groups_for(view.access).prefetch_related("themes")


class GroupList(IdempotentCreateMixin, ProgrammeAPIView):
    roles = (Role.COORDINATOR,)

    @extend_schema(
        operation_id="groups_list", parameters=[QUERY], responses=GroupSerializer(many=True), tags=["network"]
    )
    def get(self, request: Request, slug: str) -> Response:
        groups = groups_for(self.access, query=request.query_params.get("q", "").strip()).prefetch_related("themes")
        return paginated(self, request, groups, GroupSerializer)

    @extend_schema(
        operation_id="groups_create", request=GroupInputSerializer, responses={201: GroupSerializer}, tags=["network"]
    )
    def post(self, request: Request, slug: str) -> Response:
        return self.idempotent(request, lambda: self._create(request))

    def _create(self, request: Request) -> Response:
        data = valid_data(GroupInputSerializer, request, self)
        themes = data.pop("themes", None)
        group = services.group_save(actor=request.user, programme=self.programme, fields=data, themes=themes)
        group = _groups(self).get(pk=group.pk)
        return with_etag(Response(GroupSerializer(group).data, status=status.HTTP_201_CREATED), group)


class GroupDetail(ETagMixin, ProgrammeAPIView):
    roles = (Role.COORDINATOR,)

    def _group(self, group_id: str) -> CitizenGroup:
        group = _groups(self).filter(public_id=group_id).first()
        if group is None:
            raise Http404
        return group

    @extend_schema(operation_id="groups_retrieve", responses=GroupSerializer, tags=["network"])
    def get(self, request: Request, slug: str, group_id: str) -> Response:
        group = self._group(group_id)
        return self.with_etag(Response(GroupSerializer(group).data), group)

    @extend_schema(
        operation_id="groups_partial_update", request=GroupInputSerializer, responses=GroupSerializer, tags=["network"]
    )
    def patch(self, request: Request, slug: str, group_id: str) -> Response:
        group = self._group(group_id)
        expected = self.expected_version(request, group)
        data = valid_data(GroupInputSerializer, request, self, partial=True)
        themes = data.pop("themes", None)
        services.group_save(
            actor=request.user,
            programme=self.programme,
            group=group,
            expected_version=expected,
            fields=data,
            themes=themes,
        )
        group = self._group(group_id)
        return self.with_etag(Response(GroupSerializer(group).data), group)


urlpatterns = [
    path(f"{PROGRAMME_PREFIX}organisations/", OrganisationList.as_view(), name="organisation-list"),
    path(
        f"{PROGRAMME_PREFIX}organisations/<uuid:organisation_id>/",
        OrganisationDetail.as_view(),
        name="organisation-detail",
    ),
    path(f"{PROGRAMME_PREFIX}places/", PlaceList.as_view(), name="place-list"),
    path(f"{PROGRAMME_PREFIX}places/<uuid:place_id>/", PlaceDetail.as_view(), name="place-detail"),
    path(f"{PROGRAMME_PREFIX}groups/", GroupList.as_view(), name="group-list"),
    path(f"{PROGRAMME_PREFIX}groups/<uuid:group_id>/", GroupDetail.as_view(), name="group-detail"),
]
