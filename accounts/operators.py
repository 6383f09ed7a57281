"""Platform operators: staff who use the Django admin to look at every tenant's data.

They see every model of jixiao's apps and may change tenants, users and memberships (e.g. deactivate one);
scoring and QA data are read-only in the admin, their writes go through the API. Global (model-level)
permissions never widen the API's scoping: team grants are checked with `accept_global_perms=False`.
"""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

PLATFORM_OPERATORS = "Platform operators"
OPERATOR_APPS = ["accounts", "performance", "feedback"]
OPERATOR_CHANGES = ["change_tenant", "change_user", "change_membership"]


def platform_operators_group() -> Group:
    """The group with the operators' permissions, created or brought up to date."""
    group, _ = Group.objects.get_or_create(name=PLATFORM_OPERATORS)
    permissions = Permission.objects.filter(content_type__app_label__in=OPERATOR_APPS).filter(
        Q(codename__startswith="view_") | Q(content_type__app_label="accounts", codename__in=OPERATOR_CHANGES)
    )
    group.permissions.set(permissions)
    return group
