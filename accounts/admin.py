from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from guardian.admin import GuardedModelAdmin

from accounts.models import Agent, APIKey, AuditEvent, Membership, Team, TeamGrant, Tenant, User


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
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "tenant", "role", "is_active"]
    list_filter = ["role", "is_active", "tenant"]
    raw_id_fields = ["user"]


@admin.register(Team)
class TeamAdmin(GuardedModelAdmin):
    list_display = ["name", "tenant"]
    list_filter = ["tenant"]
    search_fields = ["name"]


@admin.register(TeamGrant)
class TeamGrantAdmin(admin.ModelAdmin):
    list_display = ["user", "content_object", "permission", "tenant", "created_at"]
    list_filter = ["tenant"]
    raw_id_fields = ["user", "content_object", "granted_by"]


@admin.register(Agent)
class AgentAdmin(admin.ModelAdmin):
    list_display = ["employee_code", "display_name", "team", "tenant", "is_active"]
    list_filter = ["tenant", "is_active"]
    search_fields = ["employee_code", "display_name"]
    raw_id_fields = ["user", "team"]


@admin.register(APIKey)
class APIKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "tenant", "created_at", "revoked_at"]
    readonly_fields = ["prefix", "hashed_secret", "created_at", "last_used_at"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "tenant", "action", "object_type", "object_id", "actor_user"]
    list_filter = ["tenant", "action"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
