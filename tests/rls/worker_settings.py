"""Settings of the worker test's Celery worker: jixiao's, plus the probe task."""

from config.settings import *  # noqa: F403

CELERY_IMPORTS = ["tests.rls.probe_tasks"]
