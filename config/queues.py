"""Celery queues by kind of work, so each kind can get its own workers (README "Queues", docs/scaling.md).

Every queue name starts with the default queue's name (CELERY_QUEUE, "jixiao" unless set), so parallel runs that
set their own CELERY_QUEUE stay apart on one Redis:

| kind | queue | tasks |
| --- | --- | --- |
| default | `<prefix>` | everything else: the periodic sweeps (stalled jobs, overdue appeals, reminders, alerts) |
| ingestion | `<prefix>.ingestion` | `*.tasks.ingest*`, `*.tasks.import_*` (bulk imports run in the request today) |
| computation | `<prefix>.computation` | `performance.tasks.compute_period_scores` |
| notifications | `<prefix>.notifications` | notification e-mails and webhook deliveries |
| connectors | `<prefix>.connectors` | `performance.tasks.sync_connection*`, `*.connectors.*` |

The route is chosen when a task is sent, from the task's name (CELERY_TASK_ROUTES is `route_task`), with the
prefix read from the app's configuration at that moment.
"""

from __future__ import annotations

from fnmatch import fnmatchcase

KINDS = ("ingestion", "computation", "notifications", "connectors")

# Task name patterns (fnmatch) → kind; the first match wins, no match → the default queue.
PATTERNS: tuple[tuple[str, str], ...] = (
    ("performance.tasks.compute_period_scores", "computation"),
    ("performance.tasks.sync_connection*", "connectors"),
    ("*.connectors.*", "connectors"),
    ("*.tasks.ingest*", "ingestion"),
    ("*.tasks.import_*", "ingestion"),
    ("common.notifications.tasks.send_*", "notifications"),
    ("common.webhooks.tasks.send_webhook_delivery", "notifications"),
    ("common.webhooks.tasks.send_due_webhook_deliveries", "notifications"),
)


def kind_of(task_name: str) -> str | None:
    """The kind of queue a task goes to, or None for the default queue."""
    return next((kind for pattern, kind in PATTERNS if fnmatchcase(task_name, pattern)), None)


def queue_name(prefix: str, kind: str | None) -> str:
    return prefix if kind is None else f"{prefix}.{kind}"


def all_queues(prefix: str) -> list[str]:
    """Every queue of a prefix, default first: what a worker consumes when it does every kind of work."""
    return [prefix, *(queue_name(prefix, kind) for kind in KINDS)]


def route_task(name, args, kwargs, options, task=None, **kw):
    """Celery router: the task's queue by its name. An explicit `queue=` given when sending wins (Celery asks the
    router only for options that were not given)."""
    from celery import current_app

    prefix = (task.app if task is not None else current_app).conf.task_default_queue
    return {"queue": queue_name(prefix, kind_of(name))}
