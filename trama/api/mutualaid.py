"""Volunteers and mutual aid (trama/mutualaid) in the REST API.

Same roles and visibility as the pages (trama/mutualaid/permissions.py):
- volunteers: coordinators, and lab managers for the volunteers of their organisation or places;
- requests, offers and matches: coordinators, operators and lab managers; a household's request is
  case data, seen only by who sees the case (`visible_requests`); lab managers see the requests of
  citizens and groups.
Evaluators and funders get 403, like the pages: they read figures, never a name. A volunteer's own
area (their shifts and matches) stays on the pages. Writes go through trama.mutualaid.services.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from trama.accounts.audit import audit_record
from trama.accounts.models import AuditEvent, Role
from trama.api.base import (
    PROGRAMME_PREFIX,
    IdempotentCreateMixin,
    Pagination,
    ProgrammeAPIView,
    paginated,
    valid_data,
    with_etag,
)
from trama.api.fields import MunicipalityField, PublicIdField, SafeDateTimeField
from trama.casework.models import Case
from trama.casework.permissions import visible_cases
from trama.mutualaid.models import (
    Category,
    Language,
    Match,
    MutualAidOffer,
    MutualAidRequest,
    Urgency,
    Volunteer,
    decode_codes,
)
from trama.mutualaid.permissions import (
    STAFF_ROLES,
    VOLUNTEER_MANAGERS,
    get_offer_for_user,
    get_request_for_user,
    get_staff_match,
    get_volunteer_for_user,
)
from trama.mutualaid.selectors import aid as aid_selectors
from trama.mutualaid.selectors import volunteers as volunteer_selectors
from trama.mutualaid.services import aid as aid_services
from trama.mutualaid.services import matches as match_services
from trama.network.models import CitizenGroup
from trama.people.models import Household

TAGS = ["mutual aid"]
REQUEST = f"{PROGRAMME_PREFIX}aid-requests/<uuid:request_id>/"
MATCH = f"{PROGRAMME_PREFIX}aid-matches/<uuid:match_id>/"


class AidRef(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField(source="__str__")


# --- Volunteers -----------------------------------------------------------------------------------


class VolunteerSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    person = serializers.UUIDField(source="person.public_id")
    first_name = serializers.CharField(source="person.first_name")
    last_name = serializers.CharField(source="person.last_name")
    status = serializers.ChoiceField(choices=Volunteer.Status.choices)
    source = serializers.ChoiceField(choices=Volunteer.Source.choices)
    skills = serializers.ListField(child=serializers.CharField(), source="skill_codes")
    languages = serializers.ListField(child=serializers.CharField(), source="language_codes")
    interests = serializers.ListField(child=serializers.CharField(), source="interest_codes")
    organisation = AidRef(allow_null=True)
    place = AidRef(allow_null=True)
    applied_on = serializers.DateField()
    approved_on = serializers.DateField(allow_null=True)
    training_on = serializers.DateField(allow_null=True)
    insurance_until = serializers.DateField(allow_null=True)
    version = serializers.IntegerField()

    def to_representation(self, instance: Volunteer) -> dict[str, Any]:
        instance.skill_codes = decode_codes(instance.skills)
        instance.language_codes = decode_codes(instance.languages)
        instance.interest_codes = decode_codes(instance.interests)
        return super().to_representation(instance)


class VolunteerList(ProgrammeAPIView):
    """Volunteers of the programme (lab managers: those of their organisation and places)."""

    pagination_class = Pagination  # documents the list's envelope in the schema
    roles = VOLUNTEER_MANAGERS

    @extend_schema(
        operation_id="volunteers_list",
        parameters=[
            OpenApiParameter("q", str, description="Words of the name or the e-mail."),
            OpenApiParameter("status", str, enum=Volunteer.Status.values),
            OpenApiParameter("organisation", str, description="Public id of the organisation."),
        ],
        responses=VolunteerSerializer(many=True),
        tags=TAGS,
    )
    def get(self, request: Request, slug: str) -> Response:
        params = request.query_params
        organisation = params.get("organisation", "").strip()
        filters = volunteer_selectors.VolunteerFilters(
            query=params.get("q", "").strip()[:100],
            status=params.get("status", ""),
            organisation=organisation if _is_uuid(organisation) else "",
        )
        volunteers = volunteer_selectors.volunteer_list(request.user, self.programme, filters)
        _audit_list(self, request, "mutualaid.volunteer_list", VOLUNTEER_MANAGERS)
        return paginated(self, request, volunteers, VolunteerSerializer)


class VolunteerDetail(ProgrammeAPIView):
    """One volunteer (an audited read)."""

    roles = VOLUNTEER_MANAGERS

    @extend_schema(operation_id="volunteers_retrieve", responses=VolunteerSerializer, tags=TAGS)
    def get(self, request: Request, slug: str, volunteer_id: str) -> Response:
        volunteer = get_volunteer_for_user(request.user, self.programme, volunteer_id, request=request._request)
        return with_etag(Response(VolunteerSerializer(volunteer).data), volunteer)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _audit_list(view: ProgrammeAPIView, request: Request, target_type: str, roles: tuple[str, ...]) -> None:
    with transaction.atomic():
        audit_record(
            action=AuditEvent.Action.READ, actor=request.user, request=request._request, programme=view.programme,
            membership=next((m for m in view.access.memberships if m.role in roles), None),
            target_type=target_type, reason="API list",
        )  # fmt: skip


# --- Requests -------------------------------------------------------------------------------------


class RequesterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["household", "person", "group"], source="requester_kind")
    id = serializers.UUIDField(source="requester.public_id")
    name = serializers.CharField(source="requester.__str__")


class AidRequestSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    category = serializers.ChoiceField(choices=Category.choices)
    summary = serializers.CharField()
    requester = RequesterSerializer(source="*")
    municipality = serializers.CharField(source="municipality.istat_code")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    urgency = serializers.ChoiceField(choices=Urgency.choices)
    language = serializers.ChoiceField(choices=Language.choices)
    status = serializers.ChoiceField(choices=MutualAidRequest.Status.choices)
    version = serializers.IntegerField()

    def to_representation(self, instance: MutualAidRequest) -> dict[str, Any]:
        instance.requester = instance.requester_household or instance.requester_person or instance.requester_group
        return super().to_representation(instance)


class MatchSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    request = serializers.UUIDField(source="request.public_id")
    offer = serializers.UUIDField(source="offer.public_id")
    helper = serializers.CharField(source="offer.offerer_name")
    status = serializers.ChoiceField(choices=Match.Status.choices)
    score = serializers.DecimalField(max_digits=5, decimal_places=3)
    requester_accepted_at = serializers.DateTimeField(allow_null=True)
    helper_accepted_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    closed_reason = serializers.CharField()
    version = serializers.IntegerField()


class AidRequestDetailSerializer(AidRequestSerializer):
    details = serializers.CharField()
    address = serializers.CharField()
    latitude = serializers.DecimalField(max_digits=8, decimal_places=5)
    longitude = serializers.DecimalField(max_digits=8, decimal_places=5)
    matches = MatchSerializer(source="match_rows", many=True)


class CitizenInput(serializers.Serializer):
    first_name = serializers.CharField(max_length=100)
    last_name = serializers.CharField(max_length=100)
    birth_date = serializers.DateField(required=False, allow_null=True, default=None)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")


class AidRequestInput(serializers.Serializer):
    household = PublicIdField(
        required=False, allow_null=True, default=None, help_text="A household followed by an open case you see."
    )
    group = PublicIdField(required=False, allow_null=True, default=None, help_text="A citizen group.")
    citizen = CitizenInput(
        required=False, allow_null=True, default=None, help_text="A citizen, found by name and birth date or added."
    )
    category = serializers.ChoiceField(choices=Category.choices)
    summary = serializers.CharField(max_length=300, help_text="No names, addresses or telephone numbers.")
    details = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    municipality = MunicipalityField()
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    latitude = serializers.DecimalField(max_digits=8, decimal_places=5, required=False, allow_null=True, default=None)
    longitude = serializers.DecimalField(max_digits=8, decimal_places=5, required=False, allow_null=True, default=None)
    starts_at = SafeDateTimeField()
    ends_at = SafeDateTimeField()
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False, default=Urgency.NORMAL)
    language = serializers.ChoiceField(choices=Language.choices, required=False, default=Language.ITALIAN)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        given = [name for name in ("household", "group", "citizen") if attrs.get(name) is not None]
        if len(given) != 1:
            raise serializers.ValidationError({"household": [_("Give exactly one of household, group or citizen.")]})
        return attrs


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class OptionalReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ProposeInput(serializers.Serializer):
    offer = PublicIdField(help_text="An offer that is available for this request.")


class AcceptInput(serializers.Serializer):
    side = serializers.ChoiceField(
        choices=[Match.Side.REQUESTER, Match.Side.HELPER],
        help_text="The side whose answer you record (a helper with an account answers for themselves).",
    )


def _requests() -> QuerySet[MutualAidRequest]:
    return MutualAidRequest.objects.select_related(
        "municipality", "requester_household", "requester_person", "requester_group"
    )


def _request_detail(request: MutualAidRequest) -> MutualAidRequest:
    request.match_rows = list(aid_selectors.request_matches(request))
    return request


def _households(view: ProgrammeAPIView) -> QuerySet[Household]:
    """The households a request may come from: followed by an open case the user may see."""
    if not view.access.has_role(Role.COORDINATOR, Role.OPERATOR):
        return Household.objects.none()
    cases = visible_cases(view.request.user, view.programme).filter(status=Case.Status.OPEN)
    return Household.objects.filter(pk__in=cases.values("household_id"))


class AidRequestList(IdempotentCreateMixin, ProgrammeAPIView):
    """Mutual-aid requests you may see; a household's only if you see its case."""

    pagination_class = Pagination  # documents the list's envelope in the schema
    roles = STAFF_ROLES

    @extend_schema(
        operation_id="aid_requests_list",
        parameters=[
            OpenApiParameter("q", str, description="Words of the summary."),
            OpenApiParameter("status", str, enum=MutualAidRequest.Status.values),
            OpenApiParameter("category", str, enum=Category.values),
            OpenApiParameter("urgency", str, enum=Urgency.values),
        ],
        responses=AidRequestSerializer(many=True),
        tags=TAGS,
    )
    def get(self, request: Request, slug: str) -> Response:
        params = request.query_params
        category = params.get("category", "")
        filters = aid_selectors.RequestFilters(
            query=params.get("q", "").strip()[:100],
            status=params.get("status", ""),
            category=category if category in Category.values else "",
            urgency=params.get("urgency", ""),
        )
        requests = aid_selectors.request_list(request.user, self.programme, filters)
        _audit_list(self, request, "mutualaid.request_list", STAFF_ROLES)
        return paginated(self, request, requests, AidRequestSerializer)

    @extend_schema(
        operation_id="aid_requests_create",
        description="A request for help from exactly one of: a household (followed by an open case you see), a "
        "citizen group, a citizen.",
        request=AidRequestInput,
        responses={201: AidRequestDetailSerializer},
        tags=TAGS,
    )
    def post(self, request: Request, slug: str) -> Response:
        return self.idempotent(request, lambda: self._create(request))

    def _create(self, request: Request) -> Response:
        context = {
            "household_queryset": _households(self),
            "group_queryset": CitizenGroup.objects.filter(programme=self.programme),
        }
        data = valid_data(AidRequestInput, request, self, context=context)
        household, group, citizen = data.pop("household"), data.pop("group"), data.pop("citizen")
        with transaction.atomic():  # a new citizen contact is kept only with their request
            if household is not None:
                requester = aid_services.Party(household=household)
            elif group is not None:
                requester = aid_services.Party(group=group)
            else:
                person = aid_services.citizen_contact(actor=request.user, programme=self.programme, **citizen)
                requester = aid_services.Party(person=person)
            aid_request = aid_services.request_create(
                actor=request.user, programme=self.programme, requester=requester, fields=data
            )
        aid_request = _request_detail(_requests().get(pk=aid_request.pk))
        body = AidRequestDetailSerializer(aid_request).data
        return with_etag(Response(body, status=status.HTTP_201_CREATED), aid_request)


class AidRequestDetail(ProgrammeAPIView):
    """One mutual-aid request with its matches (an audited read)."""

    roles = STAFF_ROLES

    @extend_schema(operation_id="aid_requests_retrieve", responses=AidRequestDetailSerializer, tags=TAGS)
    def get(self, request: Request, slug: str, request_id: str) -> Response:
        aid_request = get_request_for_user(request.user, self.programme, request_id, http_request=request._request)
        aid_request = _request_detail(aid_request)
        return with_etag(Response(AidRequestDetailSerializer(aid_request).data), aid_request)


class AidRequestCancel(ProgrammeAPIView):
    """Withdraw a mutual-aid request."""

    roles = STAFF_ROLES

    @extend_schema(
        operation_id="aid_requests_cancel",
        description="Withdraw the request; its live matches are cancelled with it.",
        request=OptionalReasonInput,
        responses=AidRequestDetailSerializer,
        tags=TAGS,
    )
    def post(self, request: Request, slug: str, request_id: str) -> Response:
        aid_request = get_request_for_user(request.user, self.programme, request_id)
        data = valid_data(OptionalReasonInput, request, self)
        aid_services.request_cancel(actor=request.user, request=aid_request, reason=data["reason"])
        aid_request = _request_detail(_requests().get(pk=aid_request.pk))
        return with_etag(Response(AidRequestDetailSerializer(aid_request).data), aid_request)


class AidRequestMatchCreate(IdempotentCreateMixin, ProgrammeAPIView):
    """Proposals of helpers for a request."""

    roles = STAFF_ROLES

    @extend_schema(
        operation_id="aid_requests_matches_create",
        description="Propose an offer for the request, with the ranking's reasons; both sides then accept.",
        request=ProposeInput,
        responses={201: MatchSerializer},
        tags=TAGS,
    )
    def post(self, request: Request, slug: str, request_id: str) -> Response:
        return self.idempotent(request, lambda: self._create(request, request_id))

    def _create(self, request: Request, request_id: str) -> Response:
        aid_request = get_request_for_user(request.user, self.programme, request_id)
        offers = MutualAidOffer.objects.filter(programme=self.programme)
        data = valid_data(ProposeInput, request, self, context={"offer_queryset": offers})
        offer = get_offer_for_user(request.user, self.programme, data["offer"].public_id)
        match = match_services.match_propose(actor=request.user, request=aid_request, offer=offer)
        return Response(MatchSerializer(_matches().get(pk=match.pk)).data, status=status.HTTP_201_CREATED)


def _matches() -> QuerySet[Match]:
    return Match.objects.select_related(
        "request", "offer__offerer_volunteer__person", "offer__offerer_person", "offer__offerer_group"
    )


class MatchAccept(ProgrammeAPIView):
    """Record one side's acceptance of a match."""

    roles = STAFF_ROLES

    @extend_schema(operation_id="aid_matches_accept", request=AcceptInput, responses=MatchSerializer, tags=TAGS)
    def post(self, request: Request, slug: str, match_id: str) -> Response:
        match = get_staff_match(request.user, self.programme, match_id)
        data = valid_data(AcceptInput, request, self)
        match_services.match_accept(actor=request.user, match=match, side=data["side"])
        return Response(MatchSerializer(_matches().get(pk=match.pk)).data)


class MatchCancel(ProgrammeAPIView):
    """Cancel a match, with the reason."""

    roles = STAFF_ROLES

    @extend_schema(operation_id="aid_matches_cancel", request=ReasonInput, responses=MatchSerializer, tags=TAGS)
    def post(self, request: Request, slug: str, match_id: str) -> Response:
        match = get_staff_match(request.user, self.programme, match_id)
        data = valid_data(ReasonInput, request, self)
        match_services.match_cancel(actor=request.user, match=match, reason=data["reason"])
        return Response(MatchSerializer(_matches().get(pk=match.pk)).data)


# --- Offers ---------------------------------------------------------------------------------------


class OfferSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    category = serializers.ChoiceField(choices=Category.choices)
    description = serializers.CharField()
    helper = serializers.CharField(source="offerer_name")
    municipality = serializers.CharField(source="municipality.istat_code")
    max_distance_km = serializers.IntegerField()
    languages = serializers.ListField(child=serializers.CharField(), source="language_codes")
    is_active = serializers.BooleanField()
    away_from = serializers.DateField(allow_null=True)
    away_until = serializers.DateField(allow_null=True)
    done_count = serializers.IntegerField()
    failed_count = serializers.IntegerField()
    version = serializers.IntegerField()

    def to_representation(self, instance: MutualAidOffer) -> dict[str, Any]:
        instance.language_codes = decode_codes(instance.languages)
        return super().to_representation(instance)


class OfferList(ProgrammeAPIView):
    """Mutual-aid offers of the programme."""

    pagination_class = Pagination  # documents the list's envelope in the schema
    roles = STAFF_ROLES

    @extend_schema(
        operation_id="aid_offers_list",
        parameters=[
            OpenApiParameter("q", str, description="Words of the description or the helper's name."),
            OpenApiParameter("category", str, enum=Category.values),
            OpenApiParameter("active", bool),
        ],
        responses=OfferSerializer(many=True),
        tags=TAGS,
    )
    def get(self, request: Request, slug: str) -> Response:
        params = request.query_params
        active = {"true": "1", "1": "1", "false": "0", "0": "0"}.get(params.get("active", ""), "")
        category = params.get("category", "")
        filters = aid_selectors.OfferFilters(
            query=params.get("q", "").strip()[:100],
            category=category if category in Category.values else "",
            active=active,
        )
        offers = aid_selectors.offer_list(request.user, self.programme, filters)
        return paginated(self, request, offers, OfferSerializer)


class OfferDetail(ProgrammeAPIView):
    """One mutual-aid offer."""

    roles = STAFF_ROLES

    @extend_schema(operation_id="aid_offers_retrieve", responses=OfferSerializer, tags=TAGS)
    def get(self, request: Request, slug: str, offer_id: str) -> Response:
        offer = get_offer_for_user(request.user, self.programme, offer_id)
        return with_etag(Response(OfferSerializer(offer).data), offer)


urlpatterns = [
    path(f"{PROGRAMME_PREFIX}volunteers/", VolunteerList.as_view(), name="volunteer-list"),
    path(f"{PROGRAMME_PREFIX}volunteers/<uuid:volunteer_id>/", VolunteerDetail.as_view(), name="volunteer-detail"),
    path(f"{PROGRAMME_PREFIX}aid-requests/", AidRequestList.as_view(), name="aid-request-list"),
    path(REQUEST, AidRequestDetail.as_view(), name="aid-request-detail"),
    path(f"{REQUEST}cancel/", AidRequestCancel.as_view(), name="aid-request-cancel"),
    path(f"{REQUEST}matches/", AidRequestMatchCreate.as_view(), name="aid-request-match-create"),
    path(f"{MATCH}accept/", MatchAccept.as_view(), name="aid-match-accept"),
    path(f"{MATCH}cancel/", MatchCancel.as_view(), name="aid-match-cancel"),
    path(f"{PROGRAMME_PREFIX}aid-offers/", OfferList.as_view(), name="aid-offer-list"),
    path(f"{PROGRAMME_PREFIX}aid-offers/<uuid:offer_id>/", OfferDetail.as_view(), name="aid-offer-detail"),
]
