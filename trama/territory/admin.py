from __future__ import annotations

from django.contrib import admin

from trama.core.admin import ReadOnlyAdmin
from trama.territory.models import ActionLine, Municipality, Programme, Target


@admin.register(Municipality)
class MunicipalityAdmin(ReadOnlyAdmin):
    list_display = ("name", "province_code", "istat_code", "population")
    search_fields = ("name", "istat_code")
    list_filter = ("region_name",)


@admin.register(Programme)
class ProgrammeAdmin(ReadOnlyAdmin):
    list_display = ("name", "slug", "start_date", "end_date", "is_public")


@admin.register(ActionLine)
class ActionLineAdmin(ReadOnlyAdmin):
    list_display = ("name", "programme", "code", "position")
    list_filter = ("programme",)


@admin.register(Target)
class TargetAdmin(ReadOnlyAdmin):
    list_display = ("programme", "indicator_code", "kind", "value", "date")
