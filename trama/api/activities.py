"""Activities, their dates, named attendance and anonymous tallies.

Same roles as the pages (trama/activities/views): the staff (coordinators, lab managers,
operators) see the activities and their dates; coordinators and lab managers create and edit them
(lab managers only their own, checked again by the services); attendance and tallies are the
managers' of the activity (`get_occurrence_for_manager`, 404 for another organisation's lab).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.http import Http404
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from trama.accounts.models import Role
from trama.activities import attendance, selectors, services
from trama.activities.models import Activity, AgeBand, Occurrence, TallyGender
from trama.activities.permissions import STAFF_ROLES, get_activity_for_user, lab_organisations
from trama.api.base import (
    PROGRAMME_PREFIX,
    ETagMixin,
    IdempotentCreateMixin,
    ProgrammeAPIView,
    paginated,
    valid_data,
    with_etag,
)
from trama.api.fields import MunicipalityField, PublicIdField, SafeDateTimeField
from trama.network.models import CitizenGroup, CommunityPlace, Organisation

MANAGER_ROLES = (Role.COORDINATOR, Role.LAB_MANAGER)
# Dates outside these years are typing slips (or fuzzers), not schedules.
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100
MAX_DURATION_MINUTES = 7 * 24 * 60


class PublicIdsField(serializers.ListField):
    """A list of references by public id, looked up in one query in `context["<name>_queryset"]`."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(child=serializers.UUIDField(), max_length=200, **kwargs)

    def to_internal_value(self, data: Any) -> list[Any]:
        ids = set(super().to_internal_value(data))
        found = list(self.context[f"{self.field_name}_queryset"].filter(public_id__in=ids))
        if len(found) != len(ids):
            raise serializers.ValidationError(_("No record with this identifier."))
        return found

    def to_representation(self, value: Any) -> list[str]:
        return [str(item.public_id) for item in value.all()]


# --- Activities ---------------------------------------------------------------------------------


class ActivitySerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    title = serializers.CharField()
    kind = serializers.ChoiceField(choices=Activity.Kind.choices)
    action_line = serializers.UUIDField(source="action_line.public_id", allow_null=True, default=None)
    audience = serializers.ChoiceField(choices=Activity.Audience.choices)
    description = serializers.CharField()
    place = serializers.UUIDField(source="place.public_id", allow_null=True, default=None)
    venue = serializers.CharField()
    municipality = serializers.CharField(source="municipality.istat_code")
    organisers = PublicIdsField()
    co_organising_groups = PublicIdsField()
    is_public = serializers.BooleanField()
    registration_required = serializers.BooleanField()
    capacity = serializers.IntegerField(allow_null=True)
    first_start = SafeDateTimeField()
    duration_minutes = serializers.IntegerField()
    recurrence = serializers.CharField()
    skip_closures = serializers.BooleanField()
    status = serializers.ChoiceField(choices=Activity.Status.choices)
    next_start = serializers.DateTimeField(allow_null=True, help_text="The next scheduled date, if any.")
    registered = serializers.IntegerField(help_text="People registered (not waiting).")
    version = serializers.IntegerField()


class ActivityInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=Activity.Kind.choices)
    action_line = PublicIdField(required=False, allow_null=True)
    audience = serializers.ChoiceField(choices=Activity.Audience.choices, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    place = PublicIdField(required=False, allow_null=True)
    venue = serializers.CharField(max_length=200, required=False, allow_blank=True)
    municipality = MunicipalityField(required=False)
    organisers = PublicIdsField(required=False)
    co_organising_groups = PublicIdsField(required=False)
    is_public = serializers.BooleanField(required=False)
    registration_required = serializers.BooleanField(required=False)
    capacity = serializers.IntegerField(min_value=1, max_value=100_000, required=False, allow_null=True)
    first_start = SafeDateTimeField()
    duration_minutes = serializers.IntegerField(min_value=1, max_value=MAX_DURATION_MINUTES)
    recurrence = serializers.CharField(max_length=300, required=False, allow_blank=True)
    skip_closures = serializers.BooleanField(required=False)
    status = serializers.ChoiceField(choices=Activity.Status.choices, required=False)

    def validate_first_start(self, value: datetime) -> datetime:
        if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
            raise serializers.ValidationError(
                _("Give a date between %(first)d and %(last)d.") % {"first": EARLIEST_YEAR, "last": LATEST_YEAR}
            )
        return value


def _activity_context(view: ProgrammeAPIView) -> dict[str, Any]:
    programme = view.programme
    places = CommunityPlace.objects.filter(programme=programme)
    if not view.access.has_role(Role.COORDINATOR):
        places = places.filter(managing_organisation__in=lab_organisations(list(view.access.memberships)))
    return {
        "action_line_queryset": programme.action_lines.all(),
        "place_queryset": places,
        "organisers_queryset": Organisation.objects.filter(partnerships__programme=programme).distinct(),
        "co_organising_groups_queryset": CitizenGroup.objects.filter(programme=programme),
    }


def _activities(view: ProgrammeAPIView, request: Request, **filters: Any) -> Any:
    return selectors.activity_list(request.user, view.programme, **filters).prefetch_related(
        "organisers", "co_organising_groups"
    )


def _activity(view: ProgrammeAPIView, request: Request, activity_id: Any) -> Activity:
    activity = _activities(view, request, status="").filter(public_id=activity_id).first()
    if activity is None:
        raise Http404
    return activity


def _split_links(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    links = {"organisers": data.pop("organisers", None), "groups": data.pop("co_organising_groups", None)}
    return data, links


class ActivityList(IdempotentCreateMixin, ProgrammeAPIView):
    roles = STAFF_ROLES
    write_roles = MANAGER_ROLES

    @extend_schema(
        operation_id="activities_list",
        parameters=[
            OpenApiParameter("q", str, description="Text search on the title and the venue."),
            OpenApiParameter("kind", str, enum=Activity.Kind.values),
            OpenApiParameter("place", str, description="Public id of a place."),
            OpenApiParameter("status", str, enum=[*Activity.Status.values, "all"], description="Default: active."),
        ],
        responses=ActivitySerializer(many=True),
        tags=["activities"],
    )
    def get(self, request: Request, slug: str) -> Response:
        params = request.query_params
        kind = params.get("kind", "")
        wanted_status = params.get("status", Activity.Status.ACTIVE)
        place = params.get("place", "")
        activities = _activities(
            self,
            request,
            query=params.get("q", "").strip(),
            kind=kind if kind in Activity.Kind.values else "",
            place=place if _is_uuid(place) else "",
            status=wanted_status if wanted_status in Activity.Status.values else "",
        )
        return paginated(self, request, activities, ActivitySerializer)

    @extend_schema(
        operation_id="activities_create",
        request=ActivityInputSerializer,
        responses={201: ActivitySerializer},
        tags=["activities"],
    )
    def post(self, request: Request, slug: str) -> Response:
        return self.idempotent(request, lambda: self._create(request))

    def _create(self, request: Request) -> Response:
        data, links = _split_links(valid_data(ActivityInputSerializer, request, self, context=_activity_context(self)))
        created = services.activity_create(actor=request.user, programme=self.programme, fields=data, **links)
        activity = _activity(self, request, created.public_id)
        return with_etag(Response(ActivitySerializer(activity).data, status=status.HTTP_201_CREATED), activity)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


class ActivityDetail(ETagMixin, ProgrammeAPIView):
    roles = STAFF_ROLES
    write_roles = MANAGER_ROLES

    @extend_schema(operation_id="activities_retrieve", responses=ActivitySerializer, tags=["activities"])
    def get(self, request: Request, slug: str, activity_id: str) -> Response:
        activity = _activity(self, request, activity_id)
        return self.with_etag(Response(ActivitySerializer(activity).data), activity)

    @extend_schema(
        operation_id="activities_partial_update",
        request=ActivityInputSerializer,
        responses=ActivitySerializer,
        tags=["activities"],
    )
    def patch(self, request: Request, slug: str, activity_id: str) -> Response:
        activity = _activity(self, request, activity_id)
        expected = self.expected_version(request, activity)
        data = valid_data(ActivityInputSerializer, request, self, context=_activity_context(self), partial=True)
        data, links = _split_links(data)
        services.activity_update(actor=request.user, activity=activity, expected_version=expected, fields=data, **links)
        activity = _activity(self, request, activity_id)
        return self.with_etag(Response(ActivitySerializer(activity).data), activity)


# --- Dates ----------------------------------------------------------------------------------------


class OccurrenceSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    activity = serializers.UUIDField(source="activity.public_id")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    original_start = serializers.DateTimeField(allow_null=True)
    status = serializers.ChoiceField(choices=Occurrence.Status.choices)
    note = serializers.CharField()


class OccurrenceList(ProgrammeAPIView):
    roles = STAFF_ROLES

    @extend_schema(
        operation_id="activities_occurrences_list",
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, description="Dates from this day on."),
            OpenApiParameter("to", OpenApiTypes.DATE, description="Dates up to this day."),
            OpenApiParameter("status", str, enum=Occurrence.Status.values),
        ],
        responses=OccurrenceSerializer(many=True),
        tags=["activities"],
    )
    def get(self, request: Request, slug: str, activity_id: str) -> Response:
        activity = get_activity_for_user(request.user, self.programme, activity_id)
        occurrences = Occurrence.objects.filter(activity=activity).select_related("activity").order_by("starts_at")
        dates = _DateFilters(data=request.query_params)
        dates.is_valid(raise_exception=True)
        if day := dates.validated_data.get("from"):
            occurrences = occurrences.filter(starts_at__date__gte=day)
        if day := dates.validated_data.get("to"):
            occurrences = occurrences.filter(starts_at__date__lte=day)
        if (wanted := request.query_params.get("status", "")) in Occurrence.Status.values:
            occurrences = occurrences.filter(status=wanted)
        return paginated(self, request, occurrences, OccurrenceSerializer)


class _DateFilters(serializers.Serializer):
    def get_fields(self) -> dict[str, serializers.Field]:
        # "from" is a Python keyword: declared here rather than as a class attribute.
        return {"from": serializers.DateField(required=False), "to": serializers.DateField(required=False)}


def _managed_occurrence(view: ProgrammeAPIView, request: Request, occurrence_id: str) -> Occurrence:
    return attendance.get_occurrence_for_manager(request.user, view.programme, occurrence_id)


# --- Named attendance -------------------------------------------------------------------------------


class AttendeeSerializer(serializers.Serializer):
    person = serializers.UUIDField(source="public_id")
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    is_registered = serializers.BooleanField()
    is_present = serializers.BooleanField()


class AttendanceSerializer(serializers.Serializer):
    occurrence = serializers.UUIDField()
    people = AttendeeSerializer(many=True, help_text="The check-in sheet: who is expected, and who was present.")


class AttendanceInputSerializer(serializers.Serializer):
    present = serializers.ListField(
        child=serializers.UUIDField(),
        max_length=2000,
        help_text="Everyone present (public ids of people on the check-in sheet); the others are marked absent.",
    )


def _attendance_body(occurrence: Occurrence) -> dict[str, Any]:
    return {"occurrence": occurrence.public_id, "people": attendance.checkin_people(occurrence)}


class AttendanceView(ProgrammeAPIView):
    roles = MANAGER_ROLES

    @extend_schema(operation_id="occurrences_attendance_retrieve", responses=AttendanceSerializer, tags=["activities"])
    def get(self, request: Request, slug: str, occurrence_id: str) -> Response:
        occurrence = _managed_occurrence(self, request, occurrence_id)
        return Response(AttendanceSerializer(_attendance_body(occurrence)).data)

    @extend_schema(
        operation_id="occurrences_attendance_update",
        request=AttendanceInputSerializer,
        responses=AttendanceSerializer,
        tags=["activities"],
    )
    def put(self, request: Request, slug: str, occurrence_id: str) -> Response:
        occurrence = _managed_occurrence(self, request, occurrence_id)
        wanted = set(valid_data(AttendanceInputSerializer, request, self)["present"])
        sheet = {person.public_id: person for person in attendance.checkin_people(occurrence)}
        unknown = wanted - set(sheet)
        if unknown:
            raise serializers.ValidationError(
                {"present": [_("Someone on the list is not on this date's check-in sheet.")]}
            )
        services.attendance_set(actor=request.user, occurrence=occurrence, present=[sheet[pk] for pk in wanted])
        return Response(AttendanceSerializer(_attendance_body(occurrence)).data)


# --- Anonymous tallies --------------------------------------------------------------------------------


class TallyCellSerializer(serializers.Serializer):
    age_band = serializers.ChoiceField(choices=AgeBand.choices, allow_blank=True)
    gender = serializers.ChoiceField(choices=TallyGender.choices, allow_blank=True)
    count = serializers.IntegerField(min_value=0, max_value=services.MAX_TALLY_CELL)


class TallySerializer(serializers.Serializer):
    occurrence = serializers.UUIDField()
    cells = TallyCellSerializer(many=True)
    total = serializers.IntegerField()
    minors = serializers.IntegerField()


class TallyInputSerializer(serializers.Serializer):
    cells = TallyCellSerializer(many=True, help_text="The whole tally: cells left out count zero.")

    def validate_cells(self, cells: list[dict[str, Any]]) -> list[dict[str, Any]]:
        keys = [(cell["age_band"], cell["gender"]) for cell in cells]
        if len(keys) != len(set(keys)):
            raise serializers.ValidationError(_("Each age band and gender may appear once."))
        return cells


def _tally_body(occurrence: Occurrence) -> dict[str, Any]:
    counts = attendance.tally_counts(occurrence)
    summary = attendance.tally_summary(counts)
    cells = [{"age_band": band, "gender": gender, "count": count} for (band, gender), count in sorted(counts.items())]
    return {"occurrence": occurrence.public_id, "cells": cells, "total": summary.total, "minors": summary.minors}


class TallyView(ProgrammeAPIView):
    roles = MANAGER_ROLES

    @extend_schema(operation_id="occurrences_tally_retrieve", responses=TallySerializer, tags=["activities"])
    def get(self, request: Request, slug: str, occurrence_id: str) -> Response:
        occurrence = _managed_occurrence(self, request, occurrence_id)
        return Response(TallySerializer(_tally_body(occurrence)).data)

    @extend_schema(
        operation_id="occurrences_tally_update",
        request=TallyInputSerializer,
        responses=TallySerializer,
        tags=["activities"],
    )
    def put(self, request: Request, slug: str, occurrence_id: str) -> Response:
        occurrence = _managed_occurrence(self, request, occurrence_id)
        cells = valid_data(TallyInputSerializer, request, self)["cells"]
        services.tally_set(
            actor=request.user,
            occurrence=occurrence,
            cells={(cell["age_band"], cell["gender"]): cell["count"] for cell in cells},
        )
        return Response(TallySerializer(_tally_body(occurrence)).data)


urlpatterns = [
    path(f"{PROGRAMME_PREFIX}activities/", ActivityList.as_view(), name="activity-list"),
    path(f"{PROGRAMME_PREFIX}activities/<uuid:activity_id>/", ActivityDetail.as_view(), name="activity-detail"),
    path(
        f"{PROGRAMME_PREFIX}activities/<uuid:activity_id>/occurrences/",
        OccurrenceList.as_view(),
        name="occurrence-list",
    ),
    path(
        f"{PROGRAMME_PREFIX}occurrences/<uuid:occurrence_id>/attendance/",
        AttendanceView.as_view(),
        name="occurrence-attendance",
    ),
    path(f"{PROGRAMME_PREFIX}occurrences/<uuid:occurrence_id>/tally/", TallyView.as_view(), name="occurrence-tally"),
]
