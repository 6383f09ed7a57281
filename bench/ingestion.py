"""How fast the ingestion API takes interactions, next to a plain PostgreSQL COPY of the same rows.

One run: n rows (default 200,000) from bench.generate, sent in batches of 10,000 through the real view, parser,
validation and service (the Django test client with an integration key; no HTTP socket):
- JSON bulk, new rows (all created) — the headline figure;
- the same rows with talk_seconds changed (all updated);
- the same JSON again (all unchanged: a re-sent batch);
- the rows changed once more, as CSV uploads to interactions/import/ (all updated);
and the same rows, as the same CSV text, COPYed batch by batch into a bare table (no keys, no indexes), and into
the interaction table itself, with its indexes and foreign keys (what any writer must pay). The API runs as the
application role under row-level security; the two COPYs run as the owner (a superuser by default), outside it.
Every batch commits on its own, on both sides. The client-side encoding is done before timing.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jixiao_bench python -m bench.ingestion --rows 200000
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from bench.generate import INTERACTION_FIELDS, as_owner, interaction_rows, rows_to_csv, setup_django

BATCH_SIZE = 10_000
SOURCE = "bench-ingest"
COPY_SOURCE = "bench-copy"
SEED = 7

BARE_TABLE = "bench_copy_interaction"
BARE_COLUMNS = """
    agent text, channel text, scenario text, source text, external_id text, started_at timestamptz,
    ring_count integer, queue_seconds integer, answered boolean, talk_seconds integer, hold_seconds integer,
    acw_seconds integer, first_response_seconds integer, resolved boolean, first_contact_resolved boolean,
    csat smallint, customer_ref text, metadata jsonb
"""


def _batches(rows: list[dict[str, Any]], size: int) -> list[list[dict[str, Any]]]:
    return [rows[start:start + size] for start in range(0, len(rows), size)]


def _integration_client(tenant):
    from rest_framework.test import APIClient

    from accounts.models import Membership
    from accounts.services import api_key_create
    from common.actor import Actor

    admin = Membership.objects.filter(tenant=tenant, role="admin").select_related("user").first()
    _, plain = api_key_create(actor=Actor(tenant=tenant, role="admin", user=admin.user), name="bench ingestion")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {plain}")
    return client


def _timed_posts(client, url: str, bodies: list, **kwargs) -> tuple[float, int, int]:
    created = updated = 0
    started = time.perf_counter()
    for body in bodies:
        response = client.generic("POST", url, body, **kwargs) if isinstance(body, bytes) \
            else client.post(url, body, **kwargs)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}: {response.content[:500]!r}")
        counts = response.json()
        created += counts["created"]
        updated += counts["updated"]
    return time.perf_counter() - started, created, updated


def _timed_copy(csv_batches: list[bytes]) -> float:
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {BARE_TABLE}")
        cursor.execute(f"CREATE TABLE {BARE_TABLE} ({BARE_COLUMNS})")
    columns = ", ".join(INTERACTION_FIELDS)
    try:
        started = time.perf_counter()
        for data in csv_batches:
            with transaction.atomic(), connection.cursor() as cursor:
                with cursor.copy(f"COPY {BARE_TABLE} ({columns}) FROM STDIN WITH (FORMAT csv, HEADER true)") as copy:
                    copy.write(data)
        return time.perf_counter() - started
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {BARE_TABLE}")


def _changed(rows: list[dict[str, Any]], seconds: int) -> list[dict[str, Any]]:
    return [{**row, "talk_seconds": row["talk_seconds"] + seconds} for row in rows]


def _timed_copy_into_interactions(tenant, n_rows: int, batch_size: int) -> float:
    """COPY the same rows (codes resolved to ids) straight into the interaction table, batch by batch."""
    from bench.generate import copy_interactions, interaction_values

    values = [(*row[:3], COPY_SOURCE, *row[4:]) for row in interaction_values(n_rows, source=SOURCE, seed=SEED)]
    started = time.perf_counter()
    for start in range(0, n_rows, batch_size):
        copy_interactions(tenant, values[start:start + batch_size], staged=False)
    return time.perf_counter() - started


def measure_ingestion(n_rows: int = 200_000, batch_size: int = BATCH_SIZE) -> dict[str, Any]:
    """Rows per second of API ingestion (JSON create, update, unchanged re-send; CSV update), of a plain COPY
    into a bare table and of a COPY into the interaction table itself, and the ratios.

    Needs a configured Django (bench.generate.setup_django()); creates the bench tenant if missing and removes
    the rows it wrote afterwards.
    """
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test.utils import override_settings

    from bench.generate import delete_rows, ensure_tenant
    from common import rls

    with as_owner():
        tenant = ensure_tenant()
        for source in (SOURCE, COPY_SOURCE):
            delete_rows(tenant, source=source)
    rows = list(interaction_rows(n_rows, source=SOURCE, seed=SEED))
    json_bodies = [json.dumps({"rows": batch}).encode() for batch in _batches(rows, batch_size)]
    changed_bodies = [json.dumps({"rows": batch}).encode() for batch in _batches(_changed(rows, 1), batch_size)]
    csv_bodies = [rows_to_csv(batch) for batch in _batches(rows, batch_size)]
    csv_changed = [rows_to_csv(batch) for batch in _batches(_changed(rows, 2), batch_size)]
    uploads = [{"file": SimpleUploadedFile(f"batch{i}.csv", body, "text/csv")} for i, body in enumerate(csv_changed)]
    url = f"/api/v1/tenants/{tenant.slug}/interactions/"
    json_kwargs = {"content_type": "application/json"}
    try:
        with override_settings(DEBUG=False, ALLOWED_HOSTS=["testserver"]):
            with rls.tenant_scope(tenant.pk):
                client = _integration_client(tenant)
            # The API: the application role, under row-level security (each request enters its tenant's scope).
            create_s, created, _ = _timed_posts(client, url + "bulk/", json_bodies, **json_kwargs)
            update_s, _, updated = _timed_posts(client, url + "bulk/", changed_bodies, **json_kwargs)
            resend_s, _, resent = _timed_posts(client, url + "bulk/", changed_bodies, **json_kwargs)
            csv_s, _, csv_updated = _timed_posts(client, url + "import/", uploads, format="multipart")
            with as_owner():  # the baselines: plain COPYs as the owner (a superuser by default), outside RLS
                bare_s = _timed_copy(csv_bodies)
                table_s = _timed_copy_into_interactions(tenant, n_rows, batch_size)
    finally:
        with as_owner():
            for source in (SOURCE, COPY_SOURCE):
                delete_rows(tenant, source=source)
    if not created == updated == resent == csv_updated == n_rows:
        raise RuntimeError(f"expected {n_rows} rows each time, got {created}, {updated}, {resent}, {csv_updated}")

    def rate(seconds: float) -> int:
        return round(n_rows / seconds)

    return {
        "rows": n_rows,
        "batch_size": batch_size,
        "api_json_create_rows_per_s": rate(create_s),
        "api_json_update_rows_per_s": rate(update_s),
        "api_json_unchanged_rows_per_s": rate(resend_s),
        "api_csv_update_rows_per_s": rate(csv_s),
        "copy_bare_table_rows_per_s": rate(bare_s),
        "copy_interaction_table_rows_per_s": rate(table_s),
        "ratio_create_to_bare_copy": round(bare_s / create_s, 3),
        "ratio_create_to_table_copy": round(table_s / create_s, 3),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)
    args = parser.parse_args(argv)
    setup_django()
    for key, value in measure_ingestion(args.rows, args.batch_size).items():
        print(f"{key:>28}: {value}")


if __name__ == "__main__":
    main()
