"""People and households (trama/people) in the REST API.

Same roles and the same visibility as the pages (trama/people/views.py): coordinators and operators
only (`visible_people` / `visible_households`: an operator sees the members of the households whose
cases they may see); evaluators, lab managers, volunteers and funders get 403, like the pages, and
never a name. Reading one person or household writes the READ audit row of the access function;
a list writes one READ row, without the search text (S10). Writes go through trama.people.services.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from trama.accounts.audit import audit_record
from trama.accounts.models import AuditEvent, Role
from trama.api.base import (
    PROGRAMME_PREFIX,
    ETagMixin,
    IdempotentCreateMixin,
    Pagination,
    ProgrammeAPIView,
    error_body,
    paginated,
    valid_data,
    with_etag,
)
from trama.api.fields import MunicipalityField, PublicIdField
from trama.people import services
from trama.people.models import Consent, Household, HouseholdMember, Person
from trama.people.permissions import get_household_for_user, get_person_for_user, visible_households, visible_people
from trama.people.selectors import (
    duplicates_visible_to,
    household_cases,
    people_search,
    person_consents,
    person_memberships,
    programme_partners,
)

STAFF = (Role.COORDINATOR, Role.OPERATOR)
TAGS = ["people"]
QUERY = OpenApiParameter("q", str, description="Search: words of the name, a date of birth, or a codice fiscale.")


def read_audit(view: ProgrammeAPIView, request: Request, target_type: str) -> None:
    """One READ row for a list of personal data: who, when, which list — never the filters' text."""
    with transaction.atomic():
        audit_record(
            action=AuditEvent.Action.READ,
            actor=request.user,
            request=request._request,
            programme=view.programme,
            membership=next((m for m in view.access.memberships if m.role in STAFF), None),
            target_type=target_type,
            reason="API list",
        )


# --- Serializers ------------------------------------------------------------------------------


class PersonHouseholdSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="household.public_id")
    label = serializers.CharField(source="household.label")
    relation = serializers.ChoiceField(choices=HouseholdMember.Relation.choices)


class PersonSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    birth_date = serializers.DateField(allow_null=True)
    gender = serializers.ChoiceField(choices=Person.Gender.choices)
    tax_code = serializers.CharField()
    email = serializers.CharField()
    phone = serializers.CharField()
    municipality = serializers.CharField(source="municipality.istat_code", allow_null=True, default=None)
    languages = serializers.CharField()
    is_restricted = serializers.BooleanField()
    households = PersonHouseholdSerializer(source="visible_memberships", many=True)
    version = serializers.IntegerField()


class PersonInputSerializer(serializers.Serializer):
    first_name = serializers.CharField(max_length=100)
    last_name = serializers.CharField(max_length=100)
    birth_date = serializers.DateField(required=False, allow_null=True, default=None)
    gender = serializers.ChoiceField(choices=Person.Gender.choices, required=False, allow_blank=True, default="")
    tax_code = serializers.CharField(max_length=16, required=False, allow_blank=True, default="")
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    municipality = MunicipalityField(required=False, allow_null=True, default=None)
    languages = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class PersonCreateSerializer(PersonInputSerializer):
    household = PublicIdField(
        required=False, allow_null=True, default=None, help_text="Create the person in this household."
    )
    relation = serializers.ChoiceField(
        choices=HouseholdMember.Relation.choices, required=False, allow_blank=True, default=""
    )
    different_person = serializers.BooleanField(
        required=False, default=False, help_text="Create even if a possible duplicate (same name and birth date)."
    )


class HouseholdMemberSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    person = serializers.UUIDField(source="person.public_id")
    first_name = serializers.CharField(source="person.first_name")
    last_name = serializers.CharField(source="person.last_name")
    birth_date = serializers.DateField(source="person.birth_date", allow_null=True)
    relation = serializers.ChoiceField(choices=HouseholdMember.Relation.choices)


class HouseholdCaseSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    status = serializers.CharField()
    phase = serializers.CharField()
    opened_on = serializers.DateField()


class HouseholdSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    label = serializers.CharField()
    municipality = serializers.CharField(source="municipality.istat_code")
    address = serializers.CharField()
    primary_contact = serializers.UUIDField(source="primary_contact.public_id", allow_null=True, default=None)
    version = serializers.IntegerField()


class HouseholdDetailSerializer(HouseholdSerializer):
    members = HouseholdMemberSerializer(source="member_rows", many=True)
    cases = HouseholdCaseSerializer(source="visible_cases", many=True)


class PrimaryContactInputSerializer(serializers.Serializer):
    primary_contact = PublicIdField(allow_null=True, help_text="A member of the household, or null.")


class MemberAddInputSerializer(serializers.Serializer):
    person = PublicIdField(help_text="Someone the programme already knows.")
    relation = serializers.ChoiceField(choices=HouseholdMember.Relation.choices)


class ConsentSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    purpose = serializers.ChoiceField(choices=Consent.Purpose.choices)
    partner = serializers.UUIDField(source="partner.public_id", allow_null=True, default=None)
    partner_name = serializers.CharField(source="partner.name", allow_null=True, default=None)
    given_by = serializers.ChoiceField(choices=Consent.GivenBy.choices)
    guardian_name = serializers.CharField()
    given_on = serializers.DateField()
    expires_on = serializers.DateField(allow_null=True)
    withdrawn_on = serializers.DateField(allow_null=True)
    is_active = serializers.BooleanField(source="active_today", help_text="In force today.")

    def to_representation(self, instance: Consent) -> dict[str, Any]:
        instance.active_today = instance.is_active(timezone.localdate())
        return super().to_representation(instance)


class ConsentInputSerializer(serializers.Serializer):
    purpose = serializers.ChoiceField(choices=Consent.Purpose.choices)
    partner = PublicIdField(
        required=False, allow_null=True, default=None, help_text="For sharing: a partner organisation of the programme."
    )
    given_by = serializers.ChoiceField(choices=Consent.GivenBy.choices, required=False, default=Consent.GivenBy.SELF)
    guardian_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    given_on = serializers.DateField()
    expires_on = serializers.DateField(required=False, allow_null=True, default=None)


# --- People -----------------------------------------------------------------------------------


def _person_out(view: ProgrammeAPIView, person_id: Any) -> Person:
    """The person as the API shows them after a write (the write itself is audited)."""
    person = visible_people(view.request.user, view.programme).select_related("municipality").get(public_id=person_id)
    person.visible_memberships = person_memberships(view.request.user, view.programme, person)
    return person


class PersonList(IdempotentCreateMixin, ProgrammeAPIView):
    """People of the cases you may see (coordinators: everyone); create one."""

    pagination_class = Pagination  # documents the list's envelope in the schema
    roles = STAFF

    @extend_schema(
        operation_id="people_list",
        parameters=[
            QUERY,
            OpenApiParameter("restricted", bool, description="Coordinators: include restricted records."),
        ],
        responses=PersonSerializer(many=True),
        tags=TAGS,
    )
    def get(self, request: Request, slug: str) -> Response:
        query = request.query_params.get("q", "").strip()[:100]
        include_restricted = self.access.has_role(Role.COORDINATOR) and request.query_params.get("restricted") in (
            "1",
            "true",
        )
        people = people_search(request.user, self.programme, query=query, include_restricted=include_restricted)
        services.person_search_record(
            actor=request.user, programme=self.programme, query=query, request=request._request
        )
        return paginated(self, request, people, PersonSerializer)

    @extend_schema(
        operation_id="people_create",
        description="Coordinators create anyone; the case team creates people inside a household of their case. "
        "A possible duplicate answers 409 with code `duplicate` and the ids of the matches you may see.",
        request=PersonCreateSerializer,
        responses={201: PersonSerializer},
        tags=TAGS,
    )
    def post(self, request: Request, slug: str) -> Response:
        return self.idempotent(request, lambda: self._create(request))

    def _create(self, request: Request) -> Response:
        context = {"household_queryset": visible_households(request.user, self.programme)}
        data = valid_data(PersonCreateSerializer, request, self, context=context)
        household, relation = data.pop("household"), data.pop("relation")
        different_person = data.pop("different_person")
        try:
            person = services.person_create(
                actor=request.user,
                programme=self.programme,
                fields=data,
                household=household,
                relation=relation,
                different_person=different_person,
            )
        except services.DuplicatePersonError as error:
            return _duplicate_response(request, self, error)
        person = _person_out(self, person.public_id)
        return with_etag(Response(PersonSerializer(person).data, status=status.HTTP_201_CREATED), person)


def _duplicate_response(request: Request, view: ProgrammeAPIView, error: services.DuplicatePersonError) -> Response:
    """A possible duplicate: the matches the user may see, by id; that one exists, otherwise."""
    visible = duplicates_visible_to(request.user, view.programme, error.matches)
    if error.same_tax_code:
        message = _("A person with this codice fiscale is already known to the programme.")
    else:
        message = _(
            "The programme may already know this person (same name and date of birth): "
            "send different_person=true if it is someone else."
        )
    fields = {"duplicates": [str(person.public_id) for person in visible]} if visible else {}
    return Response(error_body("duplicate", message, fields), status=status.HTTP_409_CONFLICT)


class PersonDetail(ETagMixin, ProgrammeAPIView):
    """One person (an audited read); edit their details with If-Match."""

    roles = STAFF

    @extend_schema(operation_id="people_retrieve", responses=PersonSerializer, tags=TAGS)
    def get(self, request: Request, slug: str, person_id: str) -> Response:
        person = get_person_for_user(request.user, self.programme, person_id, request=request._request)
        person.visible_memberships = person_memberships(request.user, self.programme, person)
        return self.with_etag(Response(PersonSerializer(person).data), person)

    @extend_schema(
        operation_id="people_partial_update", request=PersonInputSerializer, responses=PersonSerializer, tags=TAGS
    )
    def patch(self, request: Request, slug: str, person_id: str) -> Response:
        person = get_person_for_user(request.user, self.programme, person_id, request=request._request)
        expected = self.expected_version(request, person)
        data = valid_data(PersonInputSerializer, request, self, partial=True)
        # The service replaces every field of the person: the fields not sent keep their value.
        fields = {name: getattr(person, name) for name in services.PERSON_FIELDS}
        fields.update(data)
        services.person_update(actor=request.user, person=person, expected_version=expected, fields=fields)
        person = _person_out(self, person.public_id)
        return self.with_etag(Response(PersonSerializer(person).data), person)


# --- Consent ----------------------------------------------------------------------------------


class ConsentList(IdempotentCreateMixin, ProgrammeAPIView):
    """A person's consents (processing, sharing with a named partner, photos, contact, statistics)."""

    pagination_class = Pagination  # documents the list's envelope in the schema
    roles = STAFF

    @extend_schema(operation_id="people_consents_list", responses=ConsentSerializer(many=True), tags=TAGS)
    def get(self, request: Request, slug: str, person_id: str) -> Response:
        person = get_person_for_user(request.user, self.programme, person_id, request=request._request)
        return paginated(
            self, request, person_consents(person).order_by("purpose", "-given_on", "pk"), ConsentSerializer
        )

    @extend_schema(
        operation_id="people_consents_create",
        description="Record a consent (coordinators, and the case team). Under 14, a guardian gives it.",
        request=ConsentInputSerializer,
        responses={201: ConsentSerializer},
        tags=TAGS,
    )
    def post(self, request: Request, slug: str, person_id: str) -> Response:
        return self.idempotent(request, lambda: self._create(request, person_id))

    def _create(self, request: Request, person_id: str) -> Response:
        person = get_person_for_user(request.user, self.programme, person_id, request=request._request)
        context = {"partner_queryset": programme_partners(self.programme)}
        data = valid_data(ConsentInputSerializer, request, self, context=context)
        consent = services.consent_record(actor=request.user, person=person, fields=data)
        consent = person_consents(person).get(pk=consent.pk)
        return Response(ConsentSerializer(consent).data, status=status.HTTP_201_CREATED)


class ConsentWithdraw(ProgrammeAPIView):
    """Withdraw a consent from today: referrals that need it are refused from now on."""

    roles = STAFF

    @extend_schema(operation_id="people_consents_withdraw", request=None, responses=ConsentSerializer, tags=TAGS)
    def post(self, request: Request, slug: str, person_id: str, consent_id: str) -> Response:
        person = get_person_for_user(request.user, self.programme, person_id, request=request._request)
        consent = person_consents(person).filter(public_id=consent_id).first()
        if consent is None:
            raise Http404
        services.consent_withdraw(actor=request.user, consent=consent)
        return Response(ConsentSerializer(person_consents(person).get(pk=consent.pk)).data)


# --- Households -------------------------------------------------------------------------------


def _household_detail(view: ProgrammeAPIView, household: Household) -> Household:
    household.member_rows = list(
        HouseholdMember.objects.filter(household=household)
        .select_related("person")
        .order_by("person__birth_date", "person__last_name", "pk")
    )
    household.visible_cases = list(household_cases(view.request.user, view.programme, household))
    return household


def _households(view: ProgrammeAPIView) -> QuerySet[Household]:
    return visible_households(view.request.user, view.programme).select_related("municipality", "primary_contact")


class HouseholdList(ProgrammeAPIView):
    """Households of the cases you may see (coordinators: every household)."""

    pagination_class = Pagination  # documents the list's envelope in the schema
    roles = STAFF

    @extend_schema(
        operation_id="households_list",
        parameters=[
            OpenApiParameter("q", str, description="Words of the household's name."),
            OpenApiParameter("municipality", str, description="ISTAT code."),
        ],
        responses=HouseholdSerializer(many=True),
        tags=TAGS,
    )
    def get(self, request: Request, slug: str) -> Response:
        households = _households(self)
        if query := request.query_params.get("q", "").strip()[:100]:
            households = households.filter(label__icontains=query)
        if municipality := request.query_params.get("municipality", "").strip():
            households = households.filter(municipality__istat_code=municipality[:6])
        read_audit(self, request, "people.household_list")
        return paginated(self, request, households.order_by("label", "pk"), HouseholdSerializer)


class HouseholdDetail(ETagMixin, ProgrammeAPIView):
    """One household with its members and the cases you may see; set its primary contact."""

    roles = STAFF

    @extend_schema(operation_id="households_retrieve", responses=HouseholdDetailSerializer, tags=TAGS)
    def get(self, request: Request, slug: str, household_id: str) -> Response:
        household = get_household_for_user(request.user, self.programme, household_id, request=request._request)
        household = _household_detail(self, household)
        return self.with_etag(Response(HouseholdDetailSerializer(household).data), household)

    @extend_schema(
        operation_id="households_partial_update",
        description="Set the primary contact (a member of the household, or null).",
        request=PrimaryContactInputSerializer,
        responses=HouseholdDetailSerializer,
        tags=TAGS,
    )
    def patch(self, request: Request, slug: str, household_id: str) -> Response:
        household = get_household_for_user(request.user, self.programme, household_id, request=request._request)
        expected = self.expected_version(request, household)
        members = Person.objects.filter(household_memberships__household=household)
        data = valid_data(PrimaryContactInputSerializer, request, self, context={"primary_contact_queryset": members})
        services.household_set_primary_contact(
            actor=request.user, household=household, person=data["primary_contact"], expected_version=expected
        )
        household = _household_detail(self, _households(self).get(pk=household.pk))
        return self.with_etag(Response(HouseholdDetailSerializer(household).data), household)


class HouseholdMemberList(IdempotentCreateMixin, ProgrammeAPIView):
    """Members of a household."""

    roles = STAFF

    @extend_schema(
        operation_id="households_members_create",
        description="Add someone the programme already knows to the household (to create a new person in it, "
        "POST people/ with `household`).",
        request=MemberAddInputSerializer,
        responses={201: HouseholdMemberSerializer},
        tags=TAGS,
    )
    def post(self, request: Request, slug: str, household_id: str) -> Response:
        return self.idempotent(request, lambda: self._create(request, household_id))

    def _create(self, request: Request, household_id: str) -> Response:
        household = get_household_for_user(request.user, self.programme, household_id, request=request._request)
        context = {"person_queryset": visible_people(request.user, self.programme)}
        data = valid_data(MemberAddInputSerializer, request, self, context=context)
        member = services.household_add_member(
            actor=request.user, household=household, person=data["person"], relation=data["relation"]
        )
        member = HouseholdMember.objects.select_related("person").get(pk=member.pk)
        return Response(HouseholdMemberSerializer(member).data, status=status.HTTP_201_CREATED)


urlpatterns = [
    path(f"{PROGRAMME_PREFIX}people/", PersonList.as_view(), name="person-list"),
    path(f"{PROGRAMME_PREFIX}people/<uuid:person_id>/", PersonDetail.as_view(), name="person-detail"),
    path(f"{PROGRAMME_PREFIX}people/<uuid:person_id>/consents/", ConsentList.as_view(), name="consent-list"),
    path(
        f"{PROGRAMME_PREFIX}people/<uuid:person_id>/consents/<uuid:consent_id>/withdraw/",
        ConsentWithdraw.as_view(),
        name="consent-withdraw",
    ),
    path(f"{PROGRAMME_PREFIX}households/", HouseholdList.as_view(), name="household-list"),
    path(f"{PROGRAMME_PREFIX}households/<uuid:household_id>/", HouseholdDetail.as_view(), name="household-detail"),
    path(
        f"{PROGRAMME_PREFIX}households/<uuid:household_id>/members/",
        HouseholdMemberList.as_view(),
        name="household-member-list",
    ),
]
