"""Serializer fields shared by the API modules: references by public code or public id."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


@extend_schema_field(OpenApiTypes.UUID)
class PublicIdField(serializers.Field):
    """A reference to a row by its `public_id`, looked up in a queryset the view scopes.

    The view passes the allowed rows as `context["<field name>_queryset"]` or the field gets
    `queryset=`; an id outside them is "not found", never "forbidden", so ids cannot be probed.
    """

    default_error_messages = {
        "invalid": _("Enter a valid identifier."),
        "does_not_exist": _("No record with this identifier."),
    }

    def __init__(self, *, queryset: QuerySet | None = None, **kwargs: Any) -> None:
        self.queryset = queryset
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet:
        return self.context.get(f"{self.field_name}_queryset", self.queryset)

    def to_internal_value(self, data: Any) -> Any:
        try:
            value = uuid.UUID(str(data))
        except (TypeError, ValueError, AttributeError):
            self.fail("invalid")
        found = self.get_queryset().filter(public_id=value).first()
        if found is None:
            self.fail("does_not_exist")
        return found

    def to_representation(self, value: Any) -> str:
        return str(value.public_id)


@extend_schema_field({"type": "string", "pattern": r"^\d{6}$", "description": "ISTAT code of the municipality"})
class MunicipalityField(serializers.Field):
    """A municipality by ISTAT code; only the programme's municipalities are accepted."""

    default_error_messages = {"does_not_exist": _("This municipality is not in the programme's territory.")}

    def to_internal_value(self, data: Any) -> Any:
        programme = self.context["programme"]
        found = programme.municipalities.filter(istat_code=str(data)).first()
        if found is None:
            self.fail("does_not_exist")
        return found

    def to_representation(self, value: Any) -> str:
        return value.istat_code


class SafeDateTimeField(serializers.DateTimeField):
    """A date and time between 1900 and 2200: DRF lets a naive time at the edge of the calendar
    overflow while it is made aware (a 500); such a value is refused as out of range instead."""

    def to_internal_value(self, value: Any) -> Any:
        try:
            parsed = super().to_internal_value(value)
        except OverflowError:
            self.fail("overflow")
        if not 1900 <= parsed.year <= 2200:
            self.fail("overflow")
        return parsed
