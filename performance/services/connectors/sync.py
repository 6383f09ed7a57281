"""Sync runs: one at a time per connection, page by page, each page's rows and cursor in one transaction.

- A run is a ConnectionRun row (queued → running → succeeded | failed, or skipped when another run holds the
  connection) executed by a Celery task (performance.tasks.sync_connection).
- The lock is a lease on the connection (`lock_until`, `running_run`), claimed with a conditional UPDATE and
  renewed with every page. A run killed anywhere leaves the lease to expire (CONNECTOR_LOCK_SECONDS); the next
  run takes over, marks the dead run failed and resumes from the saved cursor. Since a page's interactions and
  the cursor after it commit together, nothing is lost and nothing is written twice (rows are upserted by
  (source, external id) anyway). A run that finds its lease taken over (it outlived the lease between pages)
  rolls that page back and stops, so two runs never write the same connection.
- 401/403 → the connection needs attention (admins notified, `connection.needs_attention` webhook); other
  remote errors fail the run and keep the cursor; 429/5xx/timeouts are retried inside remote_get.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from functools import partial
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from common import rls
from performance.connectors.remote import RemoteAuthError, RemoteError
from performance.models import Connection, ConnectionRun, ConnectionStatus, RunStatus, RunTrigger
from performance.services.connectors.client import help_desk_build
from performance.services.connectors.events import connection_needs_attention
from performance.services.connectors.pages import mappings_load, page_write, pending_release

log = logging.getLogger(__name__)
INTERRUPTED = gettext_noop("The run stopped without finishing (its worker died or was stopped); a later run resumed.")
LEASE_LOST = gettext_noop("The run stopped: it held the connection longer than its lease and a later run took over. "
                          "Its last page was not written; the later run reads it again.")
INTERNAL = gettext_noop("The run failed on an internal error; it is logged. The next run resumes from the saved "
                        "cursor.")


class LeaseLost(Exception):
    """The connection's lease passed to another run while this one was between pages."""


def _lease(now: dt.datetime) -> dt.datetime:
    return now + dt.timedelta(seconds=settings.CONNECTOR_LOCK_SECONDS)


def connection_run_enqueue(*, connection: Connection, trigger: str = RunTrigger.SCHEDULE,
                           requested_by=None) -> ConnectionRun:
    """A queued run, sent to a worker after the surrounding transaction commits."""
    from performance.tasks import sync_connection

    run = ConnectionRun.objects.create(tenant_id=connection.tenant_id, connection=connection, trigger=trigger,
                                       requested_by=requested_by)
    transaction.on_commit(partial(sync_connection.delay, run_id=run.pk, tenant_id=connection.tenant_id))
    return run


def _claim(run: ConnectionRun, now: dt.datetime) -> bool:
    free = Q(lock_until__isnull=True) | Q(lock_until__lt=now)
    return bool(Connection.objects.filter(pk=run.connection_id).filter(free).update(
        lock_until=_lease(now), running_run=run))


def _start_time(connection: Connection) -> dt.datetime:
    zone = ZoneInfo(connection.tenant.time_zone or "UTC")
    return dt.datetime.combine(connection.start_date, dt.time(), tzinfo=zone)


def connection_run_execute(*, run_id: int, help_desk=None) -> str:
    """Execute a queued run (in its tenant's scope); the final status. A second delivery of a finished run does
    nothing; one of a run still running elsewhere is skipped by the lock. `help_desk` replaces the adapter built
    from the connection (tests hand in one with an instrumented client)."""
    run = ConnectionRun.objects.filter(pk=run_id).first()
    if run is None:  # the connection (and its runs) was deleted after the run was queued
        return "deleted"
    if run.status not in (RunStatus.QUEUED, RunStatus.RUNNING):
        return run.status
    now = timezone.now()
    if not _claim(run, now):
        # Another run holds the lease. A queued run gives way; a redelivered running one leaves its row alone.
        ConnectionRun.objects.filter(pk=run.pk, status=RunStatus.QUEUED).update(status=RunStatus.SKIPPED,
                                                                                finished_at=now)
        return RunStatus.SKIPPED
    ConnectionRun.objects.filter(connection_id=run.connection_id, status=RunStatus.RUNNING).exclude(pk=run.pk).update(
        status=RunStatus.FAILED, error=INTERRUPTED, finished_at=now)
    connection = Connection.objects.select_related("tenant").get(pk=run.connection_id)
    run.status, run.started_at, run.cursor_start = RunStatus.RUNNING, now, connection.cursor
    run.save(update_fields=["status", "started_at", "cursor_start"])
    try:
        _sync(run, connection, help_desk or help_desk_build(connection=connection))
    except LeaseLost:
        # The connection belongs to the run that took over: only this run's own row is closed.
        run.status, run.error, run.finished_at = RunStatus.FAILED, LEASE_LOST, timezone.now()
        run.save()
    except RemoteAuthError as exc:
        _finish(run, connection, status=ConnectionStatus.NEEDS_ATTENTION, error=str(exc))
        connection_needs_attention(connection=connection, run=run, error=str(exc))
    except RemoteError as exc:
        _finish(run, connection, status=ConnectionStatus.FAILING, error=str(exc))
    except Exception:
        log.exception("Connection run %s failed", run.pk)
        _finish(run, connection, status=ConnectionStatus.FAILING, error=INTERNAL)
        raise
    else:
        _finish(run, connection, status=ConnectionStatus.OK, error="")
    return run.status


def _sync(run: ConnectionRun, connection: Connection, help_desk) -> None:
    mappings = mappings_load(connection=connection)
    with transaction.atomic():
        released = pending_release(connection=connection, run=run, mappings=mappings)
        released.add_to(run)
        run.save()
    pages = help_desk.pages(cursor=connection.cursor, start_time=_start_time(connection))
    while True:
        started = time.monotonic()
        page = next(pages, None)
        run.fetch_ms += int((time.monotonic() - started) * 1000)
        if page is None:
            return
        started = time.monotonic()
        with transaction.atomic():
            counts = page_write(connection=connection, run=run, tickets=page.tickets, mappings=mappings)
            held = Connection.objects.filter(pk=connection.pk, running_run=run).update(
                cursor=page.cursor, lock_until=_lease(timezone.now()))
            if not held:
                raise LeaseLost  # rolls this page back: its rows and cursor belong to the run that took over
            connection.cursor = page.cursor
            counts.add_to(run)
            run.pages += 1
            run.tickets_read += len(page.tickets)
            run.cursor_reached = page.cursor
            run.write_ms += int((time.monotonic() - started) * 1000)
            run.save()


def _finish(run: ConnectionRun, connection: Connection, *, status: str, error: str) -> None:
    now = timezone.now()
    run.status = RunStatus.SUCCEEDED if status == ConnectionStatus.OK else RunStatus.FAILED
    run.error, run.finished_at = error, now
    run.save()
    changes = {"status": status, "last_error": error, "lock_until": None, "running_run": None,
               "next_run_at": now + dt.timedelta(minutes=connection.schedule_minutes)}
    if status == ConnectionStatus.OK:
        changes["last_synced_at"] = now
    Connection.objects.filter(pk=connection.pk, running_run=run).update(**changes)


def connections_sync_due(*, now: dt.datetime | None = None) -> int:
    """Beat sweep: queue a run for every enabled connection that is due and not needing attention."""
    now = now or timezone.now()
    with rls.all_tenants():  # the sweep lists every tenant's due connections, then queues each in its scope
        due = list(Connection.objects.filter(enabled=True).exclude(status=ConnectionStatus.NEEDS_ATTENTION)
                   .filter(Q(next_run_at__isnull=True) | Q(next_run_at__lte=now))
                   .filter(Q(lock_until__isnull=True) | Q(lock_until__lt=now)).order_by("tenant_id", "id"))
    for connection in due:
        with rls.tenant_scope(connection.tenant_id), transaction.atomic():
            claimed = Connection.objects.filter(pk=connection.pk).filter(
                Q(next_run_at__isnull=True) | Q(next_run_at__lte=now)).update(
                next_run_at=now + dt.timedelta(minutes=connection.schedule_minutes))
            if claimed:
                connection_run_enqueue(connection=connection, trigger=RunTrigger.SCHEDULE)
    return len(due)
