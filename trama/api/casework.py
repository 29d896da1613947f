"""Cases, assessments, pathways, sessions and referrals (trama/casework) in the REST API.

The pages' roles (coordinators and operators; lab managers only on the receiving side of referrals)
and their visibility: every read starts from `visible_cases` through the casework access functions,
nested records are fetched through their parent (S2), and confidential text — session and
assessment notes, a case's closing evaluation, a referral's reason — is sent only to the case team
(S6): for anyone else the field is null. Writes go through trama.casework.services.

Transitions that the pages make from a form carrying the record's version (a case's phase, closing,
reopening; a referral's decisions) take that `version` in the body: a stale one answers 409.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
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
    ETagMixin,
    IdempotentCreateMixin,
    Pagination,
    ProgrammeAPIView,
    paginated,
    valid_data,
    with_etag,
)
from trama.api.fields import PublicIdField, SafeDateTimeField
from trama.casework.models import (
    Assessment,
    Case,
    Channel,
    Pathway,
    Referral,
    Session,
)
from trama.casework.permissions import get_case_for_user, is_case_team_member, visible_cases
from trama.casework.selectors import delivery
from trama.casework.selectors.cases import CaseFilters, case_list, case_organisations, case_record, programme_operators
from trama.casework.services import assessments as assessment_services
from trama.casework.services import cases as case_services
from trama.casework.services import pathways as pathway_services
from trama.casework.services import referrals as referral_services
from trama.network.models import CitizenGroup, CommunityPlace, Organisation
from trama.people.models import Person
from trama.people.permissions import visible_households
from trama.territory.models import ActionLine

CASE_ROLES = (Role.OPERATOR, Role.COORDINATOR)
RECEIVING_ROLES = (Role.OPERATOR, Role.LAB_MANAGER)
DECIDING_ROLES = (Role.OPERATOR, Role.LAB_MANAGER, Role.COORDINATOR)
TAGS = ["casework"]
CASE = f"{PROGRAMME_PREFIX}cases/<uuid:case_id>/"
PATHWAY = f"{PROGRAMME_PREFIX}pathways/<uuid:pathway_id>/"
REFERRALS = f"{PROGRAMME_PREFIX}referrals/"


def _audit_read(view: ProgrammeAPIView, request: Request, target: Any) -> None:
    """The READ row of a nested record the pages audit too (a session, an assessment, a referral)."""
    with transaction.atomic():
        audit_record(
            action=AuditEvent.Action.READ, actor=request.user, request=request._request, programme=view.programme,
            target=target,
        )  # fmt: skip


def _audit_list(view: ProgrammeAPIView, request: Request, target_type: str) -> None:
    with transaction.atomic():
        audit_record(
            action=AuditEvent.Action.READ, actor=request.user, request=request._request, programme=view.programme,
            membership=next((m for m in view.access.memberships if m.role in DECIDING_ROLES), None),
            target_type=target_type, reason="API list",
        )  # fmt: skip


class PreparedListSerializer(serializers.ListSerializer):
    """A page of rows, handed first to the child's `prepare(rows)`: what depends on who asks (notes for
    the case team, the people one may see) is computed for the whole page in a fixed number of queries."""

    def to_representation(self, data: Any) -> list[Any]:
        rows = list(data.all() if hasattr(data, "all") else data)
        self.child.prepare(rows)
        return [self.child.to_representation(row) for row in rows]


class PreparedSerializer(serializers.Serializer):
    class Meta:
        list_serializer_class = PreparedListSerializer

    def prepare(self, rows: list[Any]) -> None:
        """Set on `rows` the attributes that depend on who asks."""

    @classmethod
    def one(cls, instance: Any, view: ProgrammeAPIView) -> dict[str, Any]:
        serializer = cls(instance, context={"request": view.request, "view": view})
        serializer.prepare([instance])
        return serializer.data


class CaseworkRef(serializers.Serializer):
    """A related record: its public id and its name."""

    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField(source="__str__")


class CaseVersionInput(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text="The version (ETag) of the record as you read it.")


# --- Cases ----------------------------------------------------------------------------------------


class StaffRef(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField(source="full_name")


class CaseTeamMemberSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    user = StaffRef()
    organisation = CaseworkRef()
    is_lead = serializers.BooleanField()


class CaseSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    household = CaseworkRef()
    organisation = CaseworkRef()
    action_line = CaseworkRef(allow_null=True)
    referral_source = serializers.ChoiceField(choices=Channel.choices)
    phase = serializers.ChoiceField(choices=Case.Phase.choices)
    status = serializers.ChoiceField(choices=Case.Status.choices)
    opened_on = serializers.DateField()
    closed_on = serializers.DateField(allow_null=True)
    outcome = serializers.CharField()
    lead = StaffRef(source="lead_user", allow_null=True)
    version = serializers.IntegerField()


class CaseDetailSerializer(CaseSerializer):
    closing_note = serializers.CharField(
        source="visible_closing_note", allow_null=True, help_text="The case team only; null for anyone else."
    )
    team = CaseTeamMemberSerializer(many=True, source="team_rows")


class CaseCreateSerializer(serializers.Serializer):
    household = PublicIdField()
    organisation = PublicIdField(help_text="An organisation of the programme's network.")
    lead = serializers.UUIDField(help_text="The user id of an active operator of that organisation.")
    referral_source = serializers.ChoiceField(choices=Channel.choices, required=False, default=Channel.OTHER)
    action_line = PublicIdField(required=False, allow_null=True, default=None)
    opened_on = serializers.DateField(required=False, allow_null=True, default=None)


class CaseUpdateSerializer(serializers.Serializer):
    organisation = PublicIdField(required=False)
    action_line = PublicIdField(required=False, allow_null=True)


class CasePhaseInput(CaseVersionInput):
    to_phase = serializers.ChoiceField(choices=Case.Phase.choices)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class CaseCloseInput(CaseVersionInput):
    outcome = serializers.ChoiceField(choices=Case.Outcome.choices)
    closing_note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    closed_on = serializers.DateField(required=False, allow_null=True, default=None)


class CaseReopenInput(CaseVersionInput):
    reason = serializers.CharField(max_length=300)
    to_phase = serializers.ChoiceField(choices=Case.Phase.choices, required=False, default=Case.Phase.DELIVERY)


def _with_lead(case: Case) -> Case:
    leads = getattr(case, "leads", None)
    case.lead_user = leads[0].user if leads else None
    return case


class CaseListSerializer(CaseSerializer):
    def to_representation(self, instance: Case) -> dict[str, Any]:
        return super().to_representation(_with_lead(instance))


def _case_refs(view: ProgrammeAPIView) -> dict[str, Any]:
    return {
        "household_queryset": visible_households(view.request.user, view.programme),
        "organisation_queryset": case_organisations(view.programme),
        "action_line_queryset": ActionLine.objects.filter(programme=view.programme),
    }


def _case_out(view: ProgrammeAPIView, case: Case) -> Case:
    """The case with its team, and the closing note for the team only (no second READ row)."""
    case = (
        visible_cases(view.request.user, view.programme)
        .select_related("household", "organisation", "action_line", "programme")
        .get(pk=case.pk)
    )
    record = case_record(case)
    case.team_rows = record.team
    case.lead_user = next((member.user for member in record.team if member.is_lead), None)
    on_team = any(member.user_id == view.request.user.pk for member in record.team)
    case.visible_closing_note = case.closing_note if on_team else None
    return case


class CaseList(IdempotentCreateMixin, ProgrammeAPIView):
    """Cases you may see: those whose team you are on, your organisation's if you supervise, all for coordinators."""

    pagination_class = Pagination  # documents the list's envelope in the schema
    roles = CASE_ROLES
    write_roles = (Role.COORDINATOR,)  # cases are opened from the intake queue, the coordinators' page

    @extend_schema(
        operation_id="cases_list",
        parameters=[
            OpenApiParameter("q", str, description="Words of the household's name."),
            OpenApiParameter("phase", str, enum=Case.Phase.values),
            OpenApiParameter("status", str, enum=Case.Status.values),
            OpenApiParameter("organisation", str, description="Public id of the organisation in charge."),
            OpenApiParameter("mine", bool, description="Only the cases whose team I am on."),
        ],
        responses=CaseListSerializer(many=True),
        tags=TAGS,
    )
    def get(self, request: Request, slug: str) -> Response:
        params = request.query_params
        filters = CaseFilters(
            query=params.get("q", "").strip()[:100],
            phase=params.get("phase", ""),
            status=params.get("status", ""),
            organisation=_uuid_text(params.get("organisation", "")),
            mine=params.get("mine") in ("1", "true"),
        )
        _audit_list(self, request, "casework.case_list")
        return paginated(self, request, case_list(request.user, self.programme, filters), CaseListSerializer)

    @extend_schema(
        operation_id="cases_create",
        description="Open a case (phase A) for a household, with its lead. Coordinators only.",
        request=CaseCreateSerializer,
        responses={201: CaseDetailSerializer},
        tags=TAGS,
    )
    def post(self, request: Request, slug: str) -> Response:
        return self.idempotent(request, lambda: self._create(request))

    def _create(self, request: Request) -> Response:
        data = valid_data(CaseCreateSerializer, request, self, context=_case_refs(self))
        lead = programme_operators(self.programme).filter(user_id=data.pop("lead")).first()
        if lead is None:
            raise serializers.ValidationError({"lead": [_("Choose an active operator of the programme.")]})
        case = case_services.case_open(actor=request.user, programme=self.programme, lead=lead.user, **data)
        case = _case_out(self, case)
        return with_etag(Response(CaseDetailSerializer(case).data, status=status.HTTP_201_CREATED), case)


def _uuid_text(value: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return ""


class CaseDetail(ETagMixin, ProgrammeAPIView):
    """One case (an audited read); the closing evaluation for the case team only."""

    roles = CASE_ROLES

    @extend_schema(operation_id="cases_retrieve", responses=CaseDetailSerializer, tags=TAGS)
    def get(self, request: Request, slug: str, case_id: str) -> Response:
        case = _case_out(self, get_case_for_user(request.user, self.programme, case_id, request=request._request))
        return self.with_etag(Response(CaseDetailSerializer(case).data), case)

    @extend_schema(
        operation_id="cases_partial_update",
        description="The organisation in charge and the action line (nothing else: S4).",
        request=CaseUpdateSerializer,
        responses=CaseDetailSerializer,
        tags=TAGS,
    )
    def patch(self, request: Request, slug: str, case_id: str) -> Response:
        case = get_case_for_user(request.user, self.programme, case_id, request=request._request)
        expected = self.expected_version(request, case)
        data = valid_data(CaseUpdateSerializer, request, self, context=_case_refs(self), partial=True)
        case = case_services.case_update(
            actor=request.user,
            case=case,
            expected_version=expected,
            organisation=data.get("organisation", case.organisation),
            action_line=data.get("action_line", case.action_line),
        )
        case = _case_out(self, case)
        return self.with_etag(Response(CaseDetailSerializer(case).data), case)


class CaseTransition(ProgrammeAPIView):
    """A POST that moves a case through `service` (its phase, closing, reopening)."""

    roles = CASE_ROLES
    input_class: type[CaseVersionInput] = CaseVersionInput
    service: Any = None

    def move(self, request: Request, case_id: str) -> Response:
        case = get_case_for_user(request.user, self.programme, case_id, request=request._request)
        data = valid_data(self.input_class, request, self)
        version = data.pop("version")
        case = type(self).service(actor=request.user, case=case, expected_version=version, **data)
        case = _case_out(self, case)
        return with_etag(Response(CaseDetailSerializer(case).data), case)


class CasePhase(CaseTransition):
    """Move an open case to another phase (going back needs a reason)."""

    service = staticmethod(case_services.case_move_phase)
    input_class = CasePhaseInput

    @extend_schema(operation_id="cases_phase", request=CasePhaseInput, responses=CaseDetailSerializer, tags=TAGS)
    def post(self, request: Request, slug: str, case_id: str) -> Response:
        return self.move(request, case_id)


class CaseClose(CaseTransition):
    """Close a case with its outcome and closing evaluation."""

    service = staticmethod(case_services.case_close)
    input_class = CaseCloseInput

    @extend_schema(operation_id="cases_close", request=CaseCloseInput, responses=CaseDetailSerializer, tags=TAGS)
    def post(self, request: Request, slug: str, case_id: str) -> Response:
        return self.move(request, case_id)


class CaseReopen(CaseTransition):
    """Reopen a closed case, saying why."""

    service = staticmethod(case_services.case_reopen)
    input_class = CaseReopenInput

    @extend_schema(operation_id="cases_reopen", request=CaseReopenInput, responses=CaseDetailSerializer, tags=TAGS)
    def post(self, request: Request, slug: str, case_id: str) -> Response:
        return self.move(request, case_id)


# --- Assessments ------------------------------------------------------------------------------------


class AssessmentScoreSerializer(serializers.Serializer):
    dimension = serializers.ChoiceField(choices=Assessment.Dimension.choices)
    score = serializers.IntegerField()
    note = serializers.CharField(source="visible_note", allow_null=True, help_text="The case team only.")


class AssessmentSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    assessed_on = serializers.DateField()
    assessed_by = StaffRef()
    note = serializers.CharField(source="visible_note", allow_null=True, help_text="The case team only.")
    scores = AssessmentScoreSerializer(source="score_rows", many=True)


class AssessmentInput(serializers.Serializer):
    assessed_on = serializers.DateField()
    scores = serializers.DictField(
        child=serializers.IntegerField(min_value=1, max_value=5),
        help_text="Every dimension, scored 1 (serious difficulty) to 5 (no difficulty).",
    )
    notes = serializers.DictField(
        child=serializers.CharField(max_length=2000, allow_blank=True), required=False, default=dict
    )
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")

    def validate_scores(self, value: dict[str, int]) -> dict[str, int]:
        unknown = set(value) - set(Assessment.Dimension.values)
        if unknown:
            raise serializers.ValidationError(sorted(unknown))
        return value

    def validate_notes(self, value: dict[str, str]) -> dict[str, str]:
        return self.validate_scores(value)  # type: ignore[arg-type]


def _assessment_out(assessment: Assessment, can_read_notes: bool) -> Assessment:
    scores = sorted(assessment.scores.all(), key=lambda s: Assessment.Dimension.values.index(s.dimension))
    for score in scores:
        score.visible_note = score.note if can_read_notes else None
    assessment.score_rows = scores
    assessment.visible_note = assessment.note if can_read_notes else None
    return assessment


class AssessmentList(IdempotentCreateMixin, ProgrammeAPIView):
    """Needs assessments of a case; notes for the case team only."""

    pagination_class = Pagination  # documents the list's envelope in the schema
    roles = CASE_ROLES

    @extend_schema(operation_id="cases_assessments_list", responses=AssessmentSerializer(many=True), tags=TAGS)
    def get(self, request: Request, slug: str, case_id: str) -> Response:
        case = get_case_for_user(request.user, self.programme, case_id, request=request._request)
        notes = is_case_team_member(request.user, case)
        rows = [_assessment_out(a, notes) for a in delivery.case_assessments(case)]
        return paginated(self, request, rows, AssessmentSerializer)

    @extend_schema(
        operation_id="cases_assessments_create",
        request=AssessmentInput,
        responses={201: AssessmentSerializer},
        tags=TAGS,
    )
    def post(self, request: Request, slug: str, case_id: str) -> Response:
        return self.idempotent(request, lambda: self._create(request, case_id))

    def _create(self, request: Request, case_id: str) -> Response:
        case = get_case_for_user(request.user, self.programme, case_id, request=request._request)
        data = valid_data(AssessmentInput, request, self)
        assessment = assessment_services.assessment_create(actor=request.user, case=case, **data)
        assessment = delivery.get_assessment_for_case(case, assessment.public_id)
        out = _assessment_out(assessment, is_case_team_member(request.user, case))
        return Response(AssessmentSerializer(out).data, status=status.HTTP_201_CREATED)


class AssessmentDetail(ProgrammeAPIView):
    """One needs assessment (an audited read); notes for the case team only."""

    roles = CASE_ROLES

    @extend_schema(operation_id="cases_assessments_retrieve", responses=AssessmentSerializer, tags=TAGS)
    def get(self, request: Request, slug: str, case_id: str, assessment_id: str) -> Response:
        case = get_case_for_user(request.user, self.programme, case_id, request=request._request)
        assessment = delivery.get_assessment_for_case(case, assessment_id)
        _audit_read(self, request, assessment)
        out = _assessment_out(assessment, is_case_team_member(request.user, case))
        return Response(AssessmentSerializer(out).data)


# --- Pathways ---------------------------------------------------------------------------------------


class PathwaySerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    kind = serializers.ChoiceField(choices=Pathway.Kind.choices)
    title = serializers.CharField()
    is_group = serializers.BooleanField()
    organisation = CaseworkRef()
    place = CaseworkRef(allow_null=True)
    start_date = serializers.DateField()
    end_date = serializers.DateField(allow_null=True)
    status = serializers.ChoiceField(choices=Pathway.Status.choices)
    version = serializers.IntegerField()


class PathwayHouseholdSerializer(serializers.Serializer):
    case = serializers.UUIDField(source="case.public_id")
    household = serializers.CharField(source="case.household.label")
    joined_on = serializers.DateField()
    left_on = serializers.DateField(allow_null=True)


class PathwayDetailSerializer(PathwaySerializer):
    households = PathwayHouseholdSerializer(source="visible_participations", many=True)
    can_read_notes = serializers.BooleanField(help_text="Whether you see the sessions' notes (the case team).")


class PathwayCreateInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Pathway.Kind.choices)
    title = serializers.CharField(max_length=200)
    organisation = PublicIdField()
    place = PublicIdField(required=False, allow_null=True, default=None)
    start_date = serializers.DateField()
    end_date = serializers.DateField(required=False, allow_null=True, default=None)
    is_group = serializers.BooleanField(required=False, default=False)
    other_cases = serializers.ListField(
        child=serializers.UUIDField(), required=False, default=list, max_length=100,
        help_text="Group pathways: other cases you may see.",
    )  # fmt: skip


class PathwayUpdateInput(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    place = PublicIdField(required=False, allow_null=True)
    start_date = serializers.DateField(required=False)
    end_date = serializers.DateField(required=False, allow_null=True)


def _pathway_refs(view: ProgrammeAPIView) -> dict[str, Any]:
    return {
        "organisation_queryset": Organisation.objects.filter(partnerships__programme=view.programme).distinct(),
        "place_queryset": CommunityPlace.objects.filter(programme=view.programme),
    }


def _pathway_out(view: ProgrammeAPIView, pathway: Pathway) -> Pathway:
    viewer = delivery.pathway_access(view.request.user, pathway)
    pathway.visible_participations = [
        p
        for p in pathway.participations.select_related("case__household").order_by("case__household__label", "pk")
        if p.case_id in viewer.visible_case_ids
    ]
    pathway.can_read_notes = viewer.can_read_notes
    return pathway


class PathwayList(ProgrammeAPIView):
    """Pathways with at least one case you may see."""

    pagination_class = Pagination  # documents the list's envelope in the schema
    roles = CASE_ROLES

    @extend_schema(
        operation_id="pathways_list",
        parameters=[
            OpenApiParameter("q", str, description="Words of the title."),
            OpenApiParameter("kind", str, enum=Pathway.Kind.values),
            OpenApiParameter("status", str, enum=Pathway.Status.values),
        ],
        responses=PathwaySerializer(many=True),
        tags=TAGS,
    )
    def get(self, request: Request, slug: str) -> Response:
        params = request.query_params
        kind = params.get("kind", "") if params.get("kind") in Pathway.Kind.values else ""
        state = params.get("status", "") if params.get("status") in Pathway.Status.values else ""
        query = params.get("q", "").strip()[:100]
        pathways = delivery.pathway_list(request.user, self.programme, query=query, kind=kind, status=state)
        return paginated(self, request, pathways.order_by("-start_date", "title", "pk"), PathwaySerializer)


class CasePathwayCreate(IdempotentCreateMixin, ProgrammeAPIView):
    """Pathways started from a case."""

    roles = CASE_ROLES

    @extend_schema(
        operation_id="cases_pathways_create",
        description="A pathway for the case (and, for a group pathway, for other cases you may see).",
        request=PathwayCreateInput,
        responses={201: PathwayDetailSerializer},
        tags=TAGS,
    )
    def post(self, request: Request, slug: str, case_id: str) -> Response:
        return self.idempotent(request, lambda: self._create(request, case_id))

    def _create(self, request: Request, case_id: str) -> Response:
        case = get_case_for_user(request.user, self.programme, case_id, request=request._request)
        data = valid_data(PathwayCreateInput, request, self, context=_pathway_refs(self))
        wanted = set(data.pop("other_cases"))
        others = list(visible_cases(request.user, self.programme).filter(public_id__in=wanted))
        if len(others) != len(wanted):
            raise serializers.ValidationError({"other_cases": [_("Choose cases you may see.")]})
        pathway = pathway_services.pathway_create(actor=request.user, case=case, other_cases=others, **data)
        pathway = _pathway_out(self, Pathway.objects.select_related("organisation", "place").get(pk=pathway.pk))
        return with_etag(Response(PathwayDetailSerializer(pathway).data, status=status.HTTP_201_CREATED), pathway)


class PathwayDetail(ETagMixin, ProgrammeAPIView):
    """One pathway with the households you may see; edit it with If-Match."""

    roles = CASE_ROLES

    @extend_schema(operation_id="pathways_retrieve", responses=PathwayDetailSerializer, tags=TAGS)
    def get(self, request: Request, slug: str, pathway_id: str) -> Response:
        pathway = delivery.get_pathway_for_user(request.user, self.programme, pathway_id, request=request._request)
        pathway = _pathway_out(self, pathway)
        return self.with_etag(Response(PathwayDetailSerializer(pathway).data), pathway)

    @extend_schema(
        operation_id="pathways_partial_update",
        request=PathwayUpdateInput,
        responses=PathwayDetailSerializer,
        tags=TAGS,
    )
    def patch(self, request: Request, slug: str, pathway_id: str) -> Response:
        pathway = delivery.get_pathway_for_user(request.user, self.programme, pathway_id, request=request._request)
        expected = self.expected_version(request, pathway)
        data = valid_data(PathwayUpdateInput, request, self, context=_pathway_refs(self), partial=True)
        pathway_services.pathway_update(actor=request.user, pathway=pathway, expected_version=expected, fields=data)
        pathway = Pathway.objects.select_related("organisation", "place").get(pk=pathway.pk)
        pathway = _pathway_out(self, pathway)
        return self.with_etag(Response(PathwayDetailSerializer(pathway).data), pathway)


class PathwayStatusInput(CaseVersionInput):
    status = serializers.ChoiceField(choices=Pathway.Status.choices)


class PathwayStatus(ProgrammeAPIView):
    """Change a pathway's status (planned, active, completed, interrupted)."""

    roles = CASE_ROLES

    @extend_schema(
        operation_id="pathways_status", request=PathwayStatusInput, responses=PathwayDetailSerializer, tags=TAGS
    )
    def post(self, request: Request, slug: str, pathway_id: str) -> Response:
        pathway = delivery.get_pathway_for_user(request.user, self.programme, pathway_id, request=request._request)
        data = valid_data(PathwayStatusInput, request, self)
        pathway_services.pathway_set_status(
            actor=request.user, pathway=pathway, status=data["status"], expected_version=data["version"]
        )
        pathway = _pathway_out(self, Pathway.objects.select_related("organisation", "place").get(pk=pathway.pk))
        return with_etag(Response(PathwayDetailSerializer(pathway).data), pathway)


# --- Sessions ---------------------------------------------------------------------------------------


class SessionPersonSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    first_name = serializers.CharField()
    last_name = serializers.CharField()


class SessionSerializer(PreparedSerializer):
    """The view sets `session_viewer` (who sees which attendees, and the notes) before serialising."""

    id = serializers.UUIDField(source="public_id")
    starts_at = serializers.DateTimeField()
    duration_minutes = serializers.IntegerField()
    modality = serializers.ChoiceField(choices=Session.Modality.choices)
    place = CaseworkRef(allow_null=True)
    attendees = SessionPersonSerializer(source="visible_attendees", many=True)
    note = serializers.CharField(source="visible_note", allow_null=True, help_text="The case team only.")
    recorded_by = StaffRef()

    def prepare(self, rows: list[Session]) -> None:
        viewer, people = self.context["view"].session_viewer
        for session in rows:
            session.visible_attendees = [p for p in session.attendees.all() if p.pk in people]
            session.visible_note = session.note if viewer.can_read_notes else None


class SessionInput(serializers.Serializer):
    starts_at = SafeDateTimeField()
    duration_minutes = serializers.IntegerField(min_value=5, max_value=600)
    modality = serializers.ChoiceField(choices=Session.Modality.choices)
    place = PublicIdField(required=False, allow_null=True, default=None)
    attendees = serializers.ListField(child=serializers.UUIDField(), required=False, default=list, max_length=50)
    note = serializers.CharField(max_length=10000, required=False, allow_blank=True, default="")


class SessionView(ProgrammeAPIView):
    """Sessions of a pathway you may see."""

    roles = CASE_ROLES

    def pathway(self, request: Request, pathway_id: str) -> Pathway:
        """The pathway (audited read) and what the user may see of its sessions (S6)."""
        pathway = delivery.get_pathway_for_user(request.user, self.programme, pathway_id, request=request._request)
        viewer = delivery.pathway_access(request.user, pathway)
        people = set(delivery.pathway_people(pathway, viewer.visible_case_ids).values_list("pk", flat=True))
        self.session_viewer = (viewer, people)
        return pathway


class SessionList(IdempotentCreateMixin, SessionView):
    """Sessions of a pathway; notes for the case team only."""

    pagination_class = Pagination  # documents the list's envelope in the schema

    @extend_schema(operation_id="pathways_sessions_list", responses=SessionSerializer(many=True), tags=TAGS)
    def get(self, request: Request, slug: str, pathway_id: str) -> Response:
        pathway = self.pathway(request, pathway_id)
        sessions = (
            pathway.sessions.select_related("place", "recorded_by")
            .prefetch_related("attendees")
            .order_by("-starts_at", "-pk")
        )
        return paginated(self, request, sessions, SessionSerializer)

    @extend_schema(
        operation_id="pathways_sessions_create",
        description="Record a session within the pathway's dates; attendees are members of its households.",
        request=SessionInput,
        responses={201: SessionSerializer},
        tags=TAGS,
    )
    def post(self, request: Request, slug: str, pathway_id: str) -> Response:
        return self.idempotent(request, lambda: self._create(request, pathway_id))

    def _create(self, request: Request, pathway_id: str) -> Response:
        pathway = self.pathway(request, pathway_id)
        data = valid_data(SessionInput, request, self, context=_pathway_refs(self))
        allowed = delivery.pathway_people(pathway, self.session_viewer[0].visible_case_ids)
        wanted = set(data.pop("attendees"))
        attendees = list(allowed.filter(public_id__in=wanted))
        if len(attendees) != len(wanted):
            raise serializers.ValidationError(
                {"attendees": [_("Only members of the pathway's households can be recorded.")]}
            )
        session = pathway_services.session_create(actor=request.user, pathway=pathway, attendees=attendees, **data)
        session = delivery.get_session_for_pathway(pathway, session.public_id)
        return Response(SessionSerializer.one(session, self), status=status.HTTP_201_CREATED)


class SessionDetail(SessionView):
    """One session (an audited read); its note for the case team only."""

    @extend_schema(operation_id="pathways_sessions_retrieve", responses=SessionSerializer, tags=TAGS)
    def get(self, request: Request, slug: str, pathway_id: str, session_id: str) -> Response:
        session = delivery.get_session_for_pathway(self.pathway(request, pathway_id), session_id)
        _audit_read(self, request, session)
        return Response(SessionSerializer.one(session, self))


# --- Referrals ---------------------------------------------------------------------------------------


class ReferralTransitionSerializer(serializers.Serializer):
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    reason = serializers.CharField()
    at = serializers.DateTimeField(source="created_at")


class ReferralSerializer(PreparedSerializer):
    """A referral as the sending side (the case's viewers) sees it; the reason for the case team."""

    id = serializers.UUIDField(source="public_id")
    case = serializers.UUIDField(source="case.public_id")
    person = SessionPersonSerializer()
    from_organisation = CaseworkRef()
    target_kind = serializers.ChoiceField(choices=Referral.TargetKind.choices)
    target_place = CaseworkRef(allow_null=True)
    target_group = CaseworkRef(allow_null=True)
    target_organisation = CaseworkRef(allow_null=True)
    external_service = serializers.CharField()
    service = serializers.CharField()
    reason = serializers.CharField(source="visible_reason", allow_null=True, help_text="The case team only.")
    status = serializers.ChoiceField(choices=Referral.Status.choices)
    status_reason = serializers.CharField()
    consent_override = serializers.CharField()
    created_at = serializers.DateTimeField()
    version = serializers.IntegerField()

    def prepare(self, rows: list[Referral]) -> None:
        team = delivery.team_case_ids(self.context["request"].user, [referral.case_id for referral in rows])
        for referral in rows:
            referral.visible_reason = referral.reason if referral.case_id in team else None


class ReferralDetailSerializer(ReferralSerializer):
    transitions = ReferralTransitionSerializer(source="transition_rows", many=True)


class ReceivedReferralSerializer(PreparedSerializer):
    """What the receiving organisation sees: the minimum (name, age band, what for, who sent it)."""

    id = serializers.UUIDField(source="public_id")
    first_name = serializers.CharField(source="person.first_name")
    last_name = serializers.CharField(source="person.last_name")
    age_band = serializers.CharField()
    from_organisation = CaseworkRef()
    target_kind = serializers.ChoiceField(choices=Referral.TargetKind.choices)
    target_place = CaseworkRef(allow_null=True)
    target_organisation = CaseworkRef(allow_null=True)
    service = serializers.CharField()
    status = serializers.ChoiceField(choices=Referral.Status.choices)
    created_at = serializers.DateTimeField()
    version = serializers.IntegerField()

    def prepare(self, rows: list[Referral]) -> None:
        for referral in rows:
            referral.age_band = delivery.age_band(referral.person)


class ReferralStateSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    status = serializers.ChoiceField(choices=Referral.Status.choices)
    status_reason = serializers.CharField()
    version = serializers.IntegerField()


class ReferralInput(serializers.Serializer):
    person = PublicIdField(help_text="A member of the case's household.")
    target_kind = serializers.ChoiceField(choices=Referral.TargetKind.choices)
    target_place = PublicIdField(required=False, allow_null=True, default=None)
    target_group = PublicIdField(required=False, allow_null=True, default=None)
    target_organisation = PublicIdField(required=False, allow_null=True, default=None)
    external_service = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    service = serializers.CharField(max_length=200)
    reason = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    override_reason = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default="",
        help_text="Coordinators: send the referral without the person's consent, saying why (logged).",
    )  # fmt: skip


class ReferralDecisionInput(serializers.Serializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    version = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, default=None, help_text="The version you read (409 if stale)."
    )


def _referral_refs(view: ProgrammeAPIView, case: Case) -> dict[str, Any]:
    programme = view.programme
    return {
        "person_queryset": Person.objects.filter(household_memberships__household=case.household_id),
        "target_place_queryset": CommunityPlace.objects.filter(programme=programme),
        "target_group_queryset": CitizenGroup.objects.filter(programme=programme),
        "target_organisation_queryset": Organisation.objects.filter(partnerships__programme=programme).distinct(),
    }


def _referrals() -> QuerySet[Referral]:
    return Referral.objects.select_related(
        "person", "case", "from_organisation", "target_place", "target_group", "target_organisation"
    )


class CaseReferralList(IdempotentCreateMixin, ProgrammeAPIView):
    """Referrals of a case; the reason for the case team only."""

    pagination_class = Pagination  # documents the list's envelope in the schema
    roles = CASE_ROLES

    @extend_schema(operation_id="cases_referrals_list", responses=ReferralSerializer(many=True), tags=TAGS)
    def get(self, request: Request, slug: str, case_id: str) -> Response:
        case = get_case_for_user(request.user, self.programme, case_id, request=request._request)
        referrals = _referrals().filter(case=case).order_by("-created_at", "-pk")
        return paginated(self, request, referrals, ReferralSerializer)

    @extend_schema(
        operation_id="cases_referrals_create",
        description="Refer a member of the household. Without the person's consent to sharing with the receiving "
        "organisation it is refused, unless a coordinator overrides with a reason.",
        request=ReferralInput,
        responses={201: ReferralDetailSerializer},
        tags=TAGS,
    )
    def post(self, request: Request, slug: str, case_id: str) -> Response:
        return self.idempotent(request, lambda: self._create(request, case_id))

    def _create(self, request: Request, case_id: str) -> Response:
        case = get_case_for_user(request.user, self.programme, case_id, request=request._request)
        data = valid_data(ReferralInput, request, self, context=_referral_refs(self, case))
        referral = referral_services.referral_create(actor=request.user, case=case, **data)
        referral = _referral_detail(delivery.get_referral_for_case(case, referral.public_id))
        body = ReferralDetailSerializer.one(referral, self)
        return with_etag(Response(body, status=status.HTTP_201_CREATED), referral)


def _referral_detail(referral: Referral) -> Referral:
    referral.transition_rows = list(referral.transitions.order_by("created_at", "pk"))
    return referral


class CaseReferralDetail(ETagMixin, ProgrammeAPIView):
    """One referral of a case with its transitions (an audited read)."""

    roles = CASE_ROLES

    @extend_schema(operation_id="cases_referrals_retrieve", responses=ReferralDetailSerializer, tags=TAGS)
    def get(self, request: Request, slug: str, case_id: str, referral_id: str) -> Response:
        case = get_case_for_user(request.user, self.programme, case_id, request=request._request)
        referral = delivery.get_referral_for_case(case, referral_id)
        _audit_read(self, request, referral)
        referral = _referral_detail(referral)
        return self.with_etag(Response(ReferralDetailSerializer.one(referral, self)), referral)


class SentReferralList(ProgrammeAPIView):
    """Referrals sent by you or your case teams."""

    pagination_class = Pagination  # documents the list's envelope in the schema
    roles = CASE_ROLES

    @extend_schema(
        operation_id="referrals_sent_list",
        description="“My pending referrals”: sent by you or your case teams; open ones unless a status is asked.",
        parameters=[OpenApiParameter("status", str, enum=[*Referral.Status.values, "all"])],
        responses=ReferralSerializer(many=True),
        tags=TAGS,
    )
    def get(self, request: Request, slug: str) -> Response:
        wanted = request.query_params.get("status", "")
        wanted = wanted if wanted in [*Referral.Status.values, "all"] else ""
        referrals = delivery.referrals_sent(request.user, self.programme, status=wanted).order_by("-created_at", "-pk")
        _audit_list(self, request, "casework.referral_list")
        return paginated(self, request, referrals, ReferralSerializer)


class ReceivedReferralList(ProgrammeAPIView):
    """Referrals received by your organisation, with the minimal data."""

    pagination_class = Pagination  # documents the list's envelope in the schema
    roles = RECEIVING_ROLES

    @extend_schema(
        operation_id="referrals_received_list",
        description="“Referred to my organisation”: pending, accepted and completed referrals, minimal data.",
        parameters=[OpenApiParameter("status", str, enum=list(delivery.RECEIVING_VISIBLE))],
        responses=ReceivedReferralSerializer(many=True),
        tags=TAGS,
    )
    def get(self, request: Request, slug: str) -> Response:
        wanted = request.query_params.get("status", "")
        wanted = wanted if wanted in delivery.RECEIVING_VISIBLE else ""
        referrals = delivery.referrals_received(request.user, self.programme, status=wanted).order_by(
            "-created_at", "-pk"
        )
        _audit_list(self, request, "casework.referral_inbox")
        return paginated(self, request, referrals, ReceivedReferralSerializer)


class ReceivedReferralDetail(ProgrammeAPIView):
    """One referral received by your organisation (an audited read), minimal data."""

    roles = RECEIVING_ROLES

    @extend_schema(operation_id="referrals_received_retrieve", responses=ReceivedReferralSerializer, tags=TAGS)
    def get(self, request: Request, slug: str, referral_id: str) -> Response:
        referral = delivery.get_received_referral(request.user, self.programme, referral_id, request=request._request)
        return Response(ReceivedReferralSerializer.one(referral, self))


class ReferralDecision(ProgrammeAPIView):
    """Accept, reject (with a reason) or complete: the receiving organisation, or — for a citizen group
    or an external service — the case team recording the answer they were given."""

    roles = DECIDING_ROLES
    to_status = ""

    def decide(self, request: Request, referral_id: str) -> Response:
        referral = delivery.get_referral_for_decision(request.user, self.programme, referral_id)
        data = valid_data(ReferralDecisionInput, request, self)
        referral = referral_services.referral_transition(
            actor=request.user,
            referral=referral,
            to_status=self.to_status,
            reason=data["reason"],
            expected_version=data["version"],
        )
        return with_etag(Response(ReferralStateSerializer(referral).data), referral)


class ReferralAccept(ReferralDecision):
    """Accept a pending referral."""

    to_status = Referral.Status.ACCEPTED

    @extend_schema(
        operation_id="referrals_accept", request=ReferralDecisionInput, responses=ReferralStateSerializer, tags=TAGS
    )
    def post(self, request: Request, slug: str, referral_id: str) -> Response:
        return self.decide(request, referral_id)


class ReferralReject(ReferralDecision):
    """Reject a pending referral, with the reason."""

    to_status = Referral.Status.REJECTED

    @extend_schema(
        operation_id="referrals_reject",
        description="The reason is required.",
        request=ReferralDecisionInput,
        responses=ReferralStateSerializer,
        tags=TAGS,
    )
    def post(self, request: Request, slug: str, referral_id: str) -> Response:
        return self.decide(request, referral_id)


class ReferralComplete(ReferralDecision):
    """Mark an accepted referral completed."""

    to_status = Referral.Status.COMPLETED

    @extend_schema(
        operation_id="referrals_complete", request=ReferralDecisionInput, responses=ReferralStateSerializer, tags=TAGS
    )
    def post(self, request: Request, slug: str, referral_id: str) -> Response:
        return self.decide(request, referral_id)


class ReferralRevoke(ProgrammeAPIView):
    """The referring case team or a coordinator withdraws it: the receiving side loses it at once."""

    roles = CASE_ROLES

    @extend_schema(
        operation_id="referrals_revoke", request=ReferralDecisionInput, responses=ReferralStateSerializer, tags=TAGS
    )
    def post(self, request: Request, slug: str, referral_id: str) -> Response:
        referral = (
            Referral.objects.filter(
                programme=self.programme,
                public_id=referral_id,
                case__in=visible_cases(request.user, self.programme),
            )
            .select_related("programme")
            .first()
        )
        if referral is None:
            raise Http404
        data = valid_data(ReferralDecisionInput, request, self)
        referral = referral_services.referral_revoke(
            actor=request.user, referral=referral, reason=data["reason"], expected_version=data["version"]
        )
        return with_etag(Response(ReferralStateSerializer(referral).data), referral)


urlpatterns = [
    # Cases and their transitions.
    path(f"{PROGRAMME_PREFIX}cases/", CaseList.as_view(), name="case-list"),
    path(CASE, CaseDetail.as_view(), name="case-detail"),
    path(f"{CASE}phase/", CasePhase.as_view(), name="case-phase"),
    path(f"{CASE}close/", CaseClose.as_view(), name="case-close"),
    path(f"{CASE}reopen/", CaseReopen.as_view(), name="case-reopen"),
    # Assessments, pathways and referrals of a case (S2: through the case).
    path(f"{CASE}assessments/", AssessmentList.as_view(), name="assessment-list"),
    path(f"{CASE}assessments/<uuid:assessment_id>/", AssessmentDetail.as_view(), name="assessment-detail"),
    path(f"{CASE}pathways/", CasePathwayCreate.as_view(), name="case-pathway-create"),
    path(f"{CASE}referrals/", CaseReferralList.as_view(), name="case-referral-list"),
    path(f"{CASE}referrals/<uuid:referral_id>/", CaseReferralDetail.as_view(), name="case-referral-detail"),
    # Pathways and their sessions.
    path(f"{PROGRAMME_PREFIX}pathways/", PathwayList.as_view(), name="pathway-list"),
    path(PATHWAY, PathwayDetail.as_view(), name="pathway-detail"),
    path(f"{PATHWAY}status/", PathwayStatus.as_view(), name="pathway-status"),
    path(f"{PATHWAY}sessions/", SessionList.as_view(), name="session-list"),
    path(f"{PATHWAY}sessions/<uuid:session_id>/", SessionDetail.as_view(), name="session-detail"),
    # The referral queues and transitions.
    path(f"{REFERRALS}sent/", SentReferralList.as_view(), name="referral-sent-list"),
    path(f"{REFERRALS}received/", ReceivedReferralList.as_view(), name="referral-received-list"),
    path(f"{REFERRALS}received/<uuid:referral_id>/", ReceivedReferralDetail.as_view(), name="referral-received"),
    path(f"{REFERRALS}<uuid:referral_id>/accept/", ReferralAccept.as_view(), name="referral-accept"),
    path(f"{REFERRALS}<uuid:referral_id>/reject/", ReferralReject.as_view(), name="referral-reject"),
    path(f"{REFERRALS}<uuid:referral_id>/complete/", ReferralComplete.as_view(), name="referral-complete"),
    path(f"{REFERRALS}<uuid:referral_id>/revoke/", ReferralRevoke.as_view(), name="referral-revoke"),
]
