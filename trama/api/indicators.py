"""The programme's indicators (trama/evaluation/registry.py): the list, and one value for a period.

Same roles as the evaluation dashboard (coordinators, evaluators, funders). Coordinators get exact
figures; the others get small cells suppressed (value null, `suppressed` true), as on the page (S8).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import Http404
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from trama.activities.models import AgeBand, TallyGender
from trama.api.activities import EARLIEST_YEAR, LATEST_YEAR
from trama.api.base import PROGRAMME_PREFIX, ProgrammeAPIView, paginated
from trama.api.fields import MunicipalityField, PublicIdField
from trama.evaluation import permissions, registry
from trama.network.models import CommunityPlace

ALL_BREAKDOWNS = (*registry.BREAKDOWNS, *registry.EXTRA_BREAKDOWNS)


class IndicatorSerializer(serializers.Serializer):
    code = serializers.SlugField()
    name = serializers.CharField()
    description = serializers.CharField()
    counting_rule = serializers.CharField()
    unit = serializers.CharField()
    kind = serializers.ChoiceField(choices=registry.KINDS)
    breakdowns = serializers.ListField(child=serializers.CharField())
    counts_people = serializers.BooleanField()


class RowSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    value = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True, coerce_to_string=False)


class IndicatorValueSerializer(serializers.Serializer):
    code = serializers.SlugField()
    start = serializers.DateField()
    end = serializers.DateField()
    value = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True, coerce_to_string=False)
    exact = serializers.BooleanField(help_text="False when small cells are suppressed for your role.")
    suppressed = serializers.BooleanField(help_text="True when the value is hidden because it counts fewer than 5.")
    breakdown = serializers.CharField(allow_blank=True)
    rows = RowSerializer(many=True)


class ValueQuerySerializer(serializers.Serializer):
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)
    breakdown = serializers.ChoiceField(choices=ALL_BREAKDOWNS, required=False)
    municipality = MunicipalityField(required=False)
    action_line = PublicIdField(required=False)
    place = PublicIdField(required=False)
    age_band = serializers.ChoiceField(choices=[v for v in AgeBand.values if v], required=False)
    gender = serializers.ChoiceField(choices=[v for v in TallyGender.values if v], required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        today = timezone.localdate()
        start = attrs.get("start") or date(today.year, 1, 1)
        end = attrs.get("end") or today
        for name, day in (("start", start), ("end", end)):
            if not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
                message = _("Give a date between %(first)d and %(last)d.")
                raise serializers.ValidationError({name: [message % {"first": EARLIEST_YEAR, "last": LATEST_YEAR}]})
        if start > end:
            raise serializers.ValidationError({"end": [_("The end comes before the start.")]})
        return {**attrs, "start": start, "end": end}


def _indicator_body(indicator: registry.Indicator) -> dict[str, Any]:
    return {
        "code": indicator.code,
        "name": str(indicator.name),
        "description": str(indicator.description),
        "counting_rule": str(indicator.counting_rule),
        "unit": indicator.unit,
        "kind": indicator.kind,
        "breakdowns": list(indicator.breakdowns),
        "counts_people": indicator.counts_people,
    }


class IndicatorList(ProgrammeAPIView):
    roles = permissions.DASHBOARD_ROLES

    @extend_schema(
        operation_id="indicators_list",
        parameters=[OpenApiParameter("kind", str, enum=list(registry.KINDS))],
        responses=IndicatorSerializer(many=True),
        tags=["indicators"],
    )
    def get(self, request: Request, slug: str) -> Response:
        kind = request.query_params.get("kind", "")
        indicators = registry.by_kind(kind) if kind in registry.KINDS else registry.all_indicators()
        return paginated(self, request, [_indicator_body(i) for i in indicators], IndicatorSerializer)


class IndicatorValue(ProgrammeAPIView):
    roles = permissions.DASHBOARD_ROLES

    @extend_schema(
        operation_id="indicators_value",
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATE, description="First day (default: 1 January this year)."),
            OpenApiParameter("end", OpenApiTypes.DATE, description="Last day, included (default: today)."),
            OpenApiParameter("breakdown", str, enum=list(ALL_BREAKDOWNS)),
            OpenApiParameter("municipality", str, description="ISTAT code."),
            OpenApiParameter("action_line", OpenApiTypes.UUID),
            OpenApiParameter("place", OpenApiTypes.UUID),
            OpenApiParameter("age_band", str, enum=[v for v in AgeBand.values if v]),
            OpenApiParameter("gender", str, enum=[v for v in TallyGender.values if v]),
        ],
        responses=IndicatorValueSerializer,
        tags=["indicators"],
    )
    def get(self, request: Request, slug: str, code: str) -> Response:
        try:
            indicator = registry.get(code)
        except KeyError as error:
            raise Http404 from error
        context = {
            "programme": self.programme,
            "action_line_queryset": self.programme.action_lines.all(),
            "place_queryset": CommunityPlace.objects.filter(programme=self.programme),
        }
        query = ValueQuerySerializer(data=request.query_params, context=context)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        filters = registry.Filters(**{name: data.get(name) for name in registry.BREAKDOWNS})
        if not registry.supports(indicator, filters):
            raise serializers.ValidationError({"non_field_errors": [_("This indicator cannot be filtered so.")]})
        breakdown = data.get("breakdown", "")
        if breakdown and breakdown not in indicator.breakdowns:
            raise serializers.ValidationError({"breakdown": [_("This indicator has no such breakdown.")]})
        exact = permissions.check_dashboard(request.user, self.programme)
        period = registry.Period(start=data["start"], end=data["end"])
        value = indicator.compute(self.programme, period, filters)
        shown = value if exact else registry.suppress(value, indicator)
        rows = []
        if breakdown:
            raw = indicator.breakdown(self.programme, period, breakdown, filters)
            rows = [
                {
                    "key": row.key,
                    "label": str(row.label),
                    "value": row.value if exact else registry.suppress(row.value, indicator),
                }
                for row in raw
            ]
        body = {
            "code": indicator.code,
            "start": period.start,
            "end": period.end,
            "value": shown,
            "exact": exact,
            "suppressed": shown is None and value is not None,
            "breakdown": breakdown,
            "rows": rows,
        }
        return Response(IndicatorValueSerializer(body).data)


urlpatterns = [
    path(f"{PROGRAMME_PREFIX}indicators/", IndicatorList.as_view(), name="indicator-list"),
    path(f"{PROGRAMME_PREFIX}indicators/<slug:code>/", IndicatorValue.as_view(), name="indicator-value"),
]
