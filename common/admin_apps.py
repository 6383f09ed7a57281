"""django.contrib.admin with jixiao's site, whose pages see every tenant (common.admin.PlatformAdminSite)."""

from django.contrib.admin.apps import AdminConfig


class PlatformAdminConfig(AdminConfig):
    default_site = "common.admin.PlatformAdminSite"
