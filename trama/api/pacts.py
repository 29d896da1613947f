"""Reciprocity pacts (trama/pacts) in the REST API: the two-sided ledger.

Same roles and visibility as the pages (trama/pacts/views): coordinators and the operators on the
case team (`visible_pacts`); nobody else sees a pact — it tells a household's economic situation —
so evaluators, funders and lab managers get 403 like the pages. Nested records (budget lines,
disbursements, commitments, hours) are reached through their pact (S2).

The pact itself, its text, signatories, lines and commitments are read-only here: drafting and
signing a pact is a conversation with the family that the pages lead. What happens while it runs
has endpoints: requesting money (the case team) and deciding on it (coordinators, never the one who
asked), and logging the hours given back.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.urls import path
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
from trama.api.fields import PublicIdField
from trama.pacts import selectors
from trama.pacts.models import BudgetLine, Commitment, ContributionLog, Disbursement, Pact
from trama.pacts.permissions import PACT_ROLES, get_pact_for_user, reading_membership
from trama.pacts.services import giving_back as giving_back_services
from trama.pacts.services import money as money_services

TAGS = ["pacts"]
PACT = f"{PROGRAMME_PREFIX}pacts/<uuid:pact_id>/"
MONEY = f"{PACT}disbursements/<uuid:disbursement_id>/"
MONEY_FIELD = {"max_digits": 12, "decimal_places": 2}


class PactRef(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField(source="__str__")


class BeneficiarySerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    first_name = serializers.CharField()
    last_name = serializers.CharField()


class PactSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    case = serializers.UUIDField(source="case.public_id")
    household = serializers.CharField(source="case.household.label")
    person = BeneficiarySerializer()
    scope = serializers.ChoiceField(choices=Pact.Scope.choices)
    status = serializers.ChoiceField(choices=Pact.Status.choices)
    outcome = serializers.CharField()
    started_on = serializers.DateField(allow_null=True)
    closed_on = serializers.DateField(allow_null=True)
    next_review_on = serializers.DateField(allow_null=True)
    budget = serializers.DecimalField(help_text="Budget signed (€).", **MONEY_FIELD)
    spent = serializers.DecimalField(help_text="Approved or paid (€).", **MONEY_FIELD)
    hours_signed = serializers.DecimalField(max_digits=9, decimal_places=2)
    hours_given = serializers.DecimalField(max_digits=9, decimal_places=2, help_text="Confirmed hours given back.")
    version = serializers.IntegerField()


class BudgetLineSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    purpose = serializers.ChoiceField(choices=BudgetLine.Purpose.choices)
    description = serializers.CharField()
    source = serializers.ChoiceField(choices=BudgetLine.Source.choices)
    funder = PactRef(allow_null=True)
    amount = serializers.DecimalField(**MONEY_FIELD)
    signed_amount = serializers.DecimalField(**MONEY_FIELD)
    spent = serializers.DecimalField(**MONEY_FIELD)
    pending = serializers.DecimalField(**MONEY_FIELD)
    remaining = serializers.DecimalField(**MONEY_FIELD)


class CommitmentSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    description = serializers.CharField()
    place = PactRef(allow_null=True)
    group = PactRef(allow_null=True)
    activity = PactRef(allow_null=True)
    hours = serializers.DecimalField(max_digits=7, decimal_places=2)
    signed_hours = serializers.DecimalField(max_digits=7, decimal_places=2)
    given = serializers.DecimalField(max_digits=9, decimal_places=2, help_text="Confirmed hours.")
    pending = serializers.DecimalField(max_digits=9, decimal_places=2, help_text="Hours waiting for confirmation.")


class DisbursementSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    budget_line = serializers.UUIDField(source="budget_line.public_id")
    amount = serializers.DecimalField(**MONEY_FIELD)
    payee = serializers.CharField()
    description = serializers.CharField()
    due_on = serializers.DateField()
    status = serializers.ChoiceField(choices=Disbursement.Status.choices)
    refusal_reason = serializers.CharField()
    decided_at = serializers.DateTimeField(allow_null=True)
    paid_on = serializers.DateField(allow_null=True)


class ContributionSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    commitment = serializers.UUIDField(source="commitment.public_id")
    date = serializers.DateField()
    hours = serializers.DecimalField(max_digits=5, decimal_places=2)
    note = serializers.CharField()
    status = serializers.ChoiceField(choices=ContributionLog.Status.choices)
    rejection_reason = serializers.CharField()
    from_time_bank = serializers.BooleanField()


class PactDetailSerializer(PactSerializer):
    start_date = serializers.DateField(source="period.start_date", allow_null=True, default=None)
    end_date = serializers.DateField(source="period.end_date", allow_null=True, default=None)
    objectives = serializers.CharField(source="period.objectives", allow_null=True, default=None)
    budget_lines = BudgetLineSerializer(source="record.lines", many=True)
    commitments = CommitmentSerializer(source="record.commitments", many=True)
    budget_pending = serializers.DecimalField(source="record.budget_pending", **MONEY_FIELD)
    hours_pending = serializers.DecimalField(source="record.hours_pending", max_digits=9, decimal_places=2)


class DisbursementInput(serializers.Serializer):
    budget_line = PublicIdField(help_text="A signed line of this pact.")
    amount = serializers.DecimalField(min_value=0, max_value=10**9, **MONEY_FIELD)
    payee = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=300)
    due_on = serializers.DateField()


class RefusalInput(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class ContributionInput(serializers.Serializer):
    date = serializers.DateField()
    hours = serializers.DecimalField(max_digits=4, decimal_places=2, min_value=0)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class PactView(ProgrammeAPIView):
    """A pact of a case you work on (coordinators: every pact)."""

    roles = PACT_ROLES

    def pact(self, request: Request, pact_id: str, *, audit: bool = False) -> Pact:
        """The pact if the user may see it (404 otherwise); pages that show it audit the read."""
        return get_pact_for_user(request.user, self.programme, pact_id, request=request._request, audit=audit)


def _child(queryset: QuerySet, public_id: str) -> Any:
    """A record of this pact (S2): one of another pact answers 404, like a missing one."""
    found = queryset.filter(public_id=public_id).first()
    if found is None:
        raise Http404
    return found


class PactList(PactView):
    """Pacts of your case teams (coordinators: every pact), with their totals."""

    pagination_class = Pagination  # documents the list's envelope in the schema

    @extend_schema(
        operation_id="pacts_list",
        parameters=[
            OpenApiParameter("q", str, description="Words of the beneficiary's or the household's name."),
            OpenApiParameter("status", str, enum=Pact.Status.values),
            OpenApiParameter("mine", bool, description="Only the pacts of my case teams."),
        ],
        responses=PactSerializer(many=True),
        tags=TAGS,
    )
    def get(self, request: Request, slug: str) -> Response:
        params = request.query_params
        filters = selectors.PactFilters(
            query=params.get("q", "").strip()[:100],
            status=params.get("status", ""),
            mine=params.get("mine") in ("1", "true"),
        )
        with transaction.atomic():
            audit_record(
                action=AuditEvent.Action.READ, actor=request.user, request=request._request, programme=self.programme,
                membership=reading_membership(request.user, self.programme), target_type="pacts.pact_list",
                reason="API list",
            )  # fmt: skip
        return paginated(self, request, selectors.pact_list(request.user, self.programme, filters), PactSerializer)


class PactDetail(PactView):
    """One pact (an audited read): budget lines and commitments, money given and hours given back."""

    @extend_schema(operation_id="pacts_retrieve", responses=PactDetailSerializer, tags=TAGS)
    def get(self, request: Request, slug: str, pact_id: str) -> Response:
        pact = self.pact(request, pact_id, audit=True)
        pact = selectors.with_totals(Pact.objects.filter(pk=pact.pk)).select_related(
            "case__household", "person", "version_in_force", "latest_version"
        )[0]
        pact.record = selectors.pact_record(pact)
        pact.period = pact.version_in_force or pact.latest_version
        return with_etag(Response(PactDetailSerializer(pact).data), pact)


# --- Money ----------------------------------------------------------------------------------------


def _disbursements(pact: Pact) -> QuerySet[Disbursement]:
    return pact.disbursements.select_related("budget_line").order_by("-due_on", "-created_at", "-pk")


class DisbursementList(IdempotentCreateMixin, PactView):
    """Disbursements of a pact."""

    pagination_class = Pagination  # documents the list's envelope in the schema

    @extend_schema(operation_id="pacts_disbursements_list", responses=DisbursementSerializer(many=True), tags=TAGS)
    def get(self, request: Request, slug: str, pact_id: str) -> Response:
        return paginated(self, request, _disbursements(self.pact(request, pact_id)), DisbursementSerializer)

    @extend_schema(
        operation_id="pacts_disbursements_create",
        description="Ask for money from a signed line of a running pact (the case team). A coordinator decides.",
        request=DisbursementInput,
        responses={201: DisbursementSerializer},
        tags=TAGS,
    )
    def post(self, request: Request, slug: str, pact_id: str) -> Response:
        return self.idempotent(request, lambda: self._create(request, pact_id))

    def _create(self, request: Request, pact_id: str) -> Response:
        pact = self.pact(request, pact_id)
        data = valid_data(DisbursementInput, request, self, context={"budget_line_queryset": pact.budget_lines.all()})
        disbursement = money_services.disbursement_request(actor=request.user, pact=pact, **data)
        disbursement = _disbursements(pact).get(pk=disbursement.pk)
        return Response(DisbursementSerializer(disbursement).data, status=status.HTTP_201_CREATED)


class DisbursementDetail(PactView):
    """One disbursement of a pact."""

    @extend_schema(operation_id="pacts_disbursements_retrieve", responses=DisbursementSerializer, tags=TAGS)
    def get(self, request: Request, slug: str, pact_id: str, disbursement_id: str) -> Response:
        disbursement = _child(_disbursements(self.pact(request, pact_id, audit=True)), disbursement_id)
        return Response(DisbursementSerializer(disbursement).data)


class DisbursementApprove(PactView):
    """Approve a request for money."""

    roles = (Role.COORDINATOR,)

    @extend_schema(
        operation_id="pacts_disbursements_approve",
        description="Coordinators, never the one who asked; refused when the line no longer covers it.",
        request=None,
        responses=DisbursementSerializer,
        tags=TAGS,
    )
    def post(self, request: Request, slug: str, pact_id: str, disbursement_id: str) -> Response:
        pact = self.pact(request, pact_id)
        disbursement = _child(_disbursements(pact), disbursement_id)
        money_services.disbursement_approve(actor=request.user, disbursement=disbursement)
        return Response(DisbursementSerializer(_disbursements(pact).get(pk=disbursement.pk)).data)


class DisbursementRefuse(PactView):
    """Refuse a request for money, with the reason."""

    roles = (Role.COORDINATOR,)

    @extend_schema(
        operation_id="pacts_disbursements_refuse", request=RefusalInput, responses=DisbursementSerializer, tags=TAGS
    )
    def post(self, request: Request, slug: str, pact_id: str, disbursement_id: str) -> Response:
        pact = self.pact(request, pact_id)
        disbursement = _child(_disbursements(pact), disbursement_id)
        data = valid_data(RefusalInput, request, self)
        money_services.disbursement_refuse(actor=request.user, disbursement=disbursement, reason=data["reason"])
        return Response(DisbursementSerializer(_disbursements(pact).get(pk=disbursement.pk)).data)


# --- Hours given back -------------------------------------------------------------------------------


def _contributions(pact: Pact) -> QuerySet[ContributionLog]:
    return (
        ContributionLog.objects.filter(commitment__pact=pact)
        .select_related("commitment")
        .order_by("-date", "-created_at", "-pk")
    )


class ContributionList(PactView):
    """Hours given back on a pact's commitments."""

    pagination_class = Pagination  # documents the list's envelope in the schema

    @extend_schema(operation_id="pacts_contributions_list", responses=ContributionSerializer(many=True), tags=TAGS)
    def get(self, request: Request, slug: str, pact_id: str) -> Response:
        return paginated(self, request, _contributions(self.pact(request, pact_id)), ContributionSerializer)


class CommitmentContributionCreate(IdempotentCreateMixin, PactView):
    """Hours given back on one commitment."""

    @extend_schema(
        operation_id="pacts_commitments_contributions_create",
        description="Log hours given back on a commitment in force; logged by the case team they wait for the "
        "place's confirmation.",
        request=ContributionInput,
        responses={201: ContributionSerializer},
        tags=TAGS,
    )
    def post(self, request: Request, slug: str, pact_id: str, commitment_id: str) -> Response:
        return self.idempotent(request, lambda: self._create(request, pact_id, commitment_id))

    def _create(self, request: Request, pact_id: str, commitment_id: str) -> Response:
        pact = self.pact(request, pact_id)
        commitment: Commitment = _child(pact.commitments.all(), commitment_id)
        data = valid_data(ContributionInput, request, self)
        log = giving_back_services.contribution_record(
            actor=request.user, commitment=commitment, day=data["date"], hours=data["hours"], note=data["note"]
        )
        log = _contributions(pact).get(pk=log.pk)
        return Response(ContributionSerializer(log).data, status=status.HTTP_201_CREATED)


urlpatterns = [
    path(f"{PROGRAMME_PREFIX}pacts/", PactList.as_view(), name="pact-list"),
    path(PACT, PactDetail.as_view(), name="pact-detail"),
    path(f"{PACT}disbursements/", DisbursementList.as_view(), name="disbursement-list"),
    path(MONEY, DisbursementDetail.as_view(), name="disbursement-detail"),
    path(f"{MONEY}approve/", DisbursementApprove.as_view(), name="disbursement-approve"),
    path(f"{MONEY}refuse/", DisbursementRefuse.as_view(), name="disbursement-refuse"),
    path(f"{PACT}contributions/", ContributionList.as_view(), name="contribution-list"),
    path(
        f"{PACT}commitments/<uuid:commitment_id>/contributions/",
        CommitmentContributionCreate.as_view(),
        name="commitment-contribution-create",
    ),
]
