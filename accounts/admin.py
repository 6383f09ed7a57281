from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from guardian.admin import GuardedModelAdmin

from accounts.models import Agent, APIKey, AuditEvent, Membership, Team, TeamGrant, Tenant, User
from common.admin import ReadOnlyAdmin, TenantOwnedAdmin


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_staff"]
    search_fields = ["email", "full_name"]
    fieldsets = [
        (None, {"fields": ["email", "password", "full_name"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ["slug", "name", "time_zone", "currency", "is_active"]
    search_fields = ["slug", "name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(TenantOwnedAdmin):
    list_display = ["user", "tenant", "role", "is_active"]
    list_filter = ["tenant", "role", "is_active"]
    list_select_related = ["tenant", "user"]
    search_fields = ["user__email", "user__full_name"]
    raw_id_fields = ["user"]


@admin.register(Team)
class TeamAdmin(GuardedModelAdmin):
    list_display = ["name", "tenant"]
    list_filter = ["tenant"]
    list_select_related = ["tenant"]
    search_fields = ["name"]


@admin.register(TeamGrant)
class TeamGrantAdmin(TenantOwnedAdmin):
    list_display = ["user", "content_object", "permission", "tenant", "created_at"]
    list_select_related = ["tenant", "user", "content_object", "permission__content_type"]
    search_fields = ["user__email", "content_object__name"]
    raw_id_fields = ["user", "content_object", "granted_by"]


@admin.register(Agent)
class AgentAdmin(TenantOwnedAdmin):
    list_display = ["employee_code", "display_name", "team", "user", "tenant", "is_active"]
    list_filter = ["tenant", "is_active"]
    list_select_related = ["tenant", "team", "user"]
    search_fields = ["employee_code", "display_name", "user__email"]
    raw_id_fields = ["user", "team"]


@admin.register(APIKey)
class APIKeyAdmin(TenantOwnedAdmin):
    list_display = ["name", "prefix", "tenant", "created_at", "last_used_at", "revoked_at"]
    search_fields = ["name", "prefix"]
    raw_id_fields = ["created_by"]
    readonly_fields = ["prefix", "hashed_secret", "created_at", "last_used_at"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "tenant", "action", "object_type", "object_id", "actor_user", "actor_api_key", "request_id"]
    list_filter = ["tenant", "action", "object_type"]
    list_select_related = ["tenant", "actor_user", "actor_api_key"]
    search_fields = ["object_id", "request_id", "actor_user__email"]
