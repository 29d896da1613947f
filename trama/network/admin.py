from __future__ import annotations

from django.contrib import admin

from trama.core.admin import ReadOnlyAdmin
from trama.network.models import Organisation, Partnership


@admin.register(Organisation)
class OrganisationAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind")
    search_fields = ("name",)
    list_filter = ("kind",)


@admin.register(Partnership)
class PartnershipAdmin(ReadOnlyAdmin):
    list_display = ("organisation", "programme", "role")
    list_filter = ("programme", "role")
