"""Settings of the queue routing test's workers: jixiao's, plus the probe tasks."""

from config.settings import *  # noqa: F403

CELERY_IMPORTS = ["tests.platform.queue_probe_tasks"]
