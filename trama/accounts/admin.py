from __future__ import annotations

from django.contrib import admin

from trama.accounts.models import AuditEvent, Membership, User
from trama.core.admin import ReadOnlyAdmin


@admin.register(User)
class UserAdmin(ReadOnlyAdmin):
    list_display = ("email", "full_name", "is_active", "is_staff", "last_login")
    search_fields = ("email", "full_name")
    list_filter = ("is_active", "is_staff")
    exclude = ("password",)


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ("user", "programme", "organisation", "role", "is_supervisor", "is_active")
    list_filter = ("programme", "role", "is_active")
    list_select_related = ("user", "programme", "organisation")


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "action", "actor", "actor_label", "programme", "target_type", "outcome")
    list_filter = ("action", "outcome", "programme")
    list_select_related = ("actor", "programme")
