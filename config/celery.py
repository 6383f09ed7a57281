"""The Celery application: one broker (Redis), tasks discovered in every app, each in its tenant's scope."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# Every task runs in the tenant scope of its tenant_id argument (row-level security, common/task_scope.py).
app = Celery("jixiao", task_cls="common.task_scope:TenantScopedTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
