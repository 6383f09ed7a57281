"""Admin bases. The Django admin is a platform-operator tool: it sees every tenant."""

from functools import update_wrapper

from django.contrib import admin

from common import rls


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


class PlatformAdminSite(admin.AdminSite):
    """The admin site: its pages (staff only, checked first) read every tenant's rows (row-level security's
    all-tenants scope, common/rls.py), rendered inside that scope."""

    def admin_view(self, view, cacheable=False):
        def across_tenants(request, *args, **kwargs):
            with rls.all_tenants():
                response = view(request, *args, **kwargs)
                if callable(getattr(response, "render", None)) and not response.is_rendered:
                    response.render()
                return response

        return super().admin_view(update_wrapper(across_tenants, view), cacheable)
