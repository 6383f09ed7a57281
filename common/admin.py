"""Admin bases. The Django admin is a platform-operator tool: it sees every tenant."""

from django.contrib import admin


class TenantOwnedAdmin(admin.ModelAdmin):
    """A tenant-owned model: filtered by tenant, foreign keys as raw ids, no full-table count per page."""

    list_filter = ["tenant"]
    list_select_related = ["tenant"]
    show_full_result_count = False
    list_per_page = 50


class ReadOnlyAdmin(TenantOwnedAdmin):
    """Viewed and searched only. Writes have rules (locks, state machines, audit) that live in the services;
    the API makes them. Also the choice for append-only history (score revisions and rows, QA reviews)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
