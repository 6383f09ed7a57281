"""Demo data for tenant-defined KPIs: the repeat-purchase rate (复购率) from the shop system, one value per agent
and working day, deterministic (seeded per agent and day) and upserted by (source, external_id)."""

from __future__ import annotations

import random
from dataclasses import dataclass

from accounts.models import Agent
from common.actor import Actor
from performance.demo import SEED, SKILL, DemoMonths
from performance.models import TenantKpiDefinition
from performance.services.tenant_kpis import tenant_kpi_definition_create, tenant_kpi_value_ingest

REPURCHASE = "repurchase_rate"


@dataclass(frozen=True)
class DemoTenantKpis:
    definition: TenantKpiDefinition
    values: dict[str, int]


def demo_tenant_kpis_seed(*, actor: Actor, months: DemoMonths) -> DemoTenantKpis:
    definition = TenantKpiDefinition.objects.filter(tenant=actor.tenant, code=REPURCHASE).first()
    if definition is None:
        definition = tenant_kpi_definition_create(
            actor=actor, code=REPURCHASE, name="复购率", unit="percent", combine_method="ratio",
            description="Customers served who bought again within 30 days / customers served (from the shop "
                        "system, per agent and day).")
    agents = list(Agent.objects.filter(tenant=actor.tenant, is_active=True).order_by("employee_code")
                  .values_list("employee_code", flat=True))
    rows = []
    for day in months.working_days():
        for code in agents:
            rng = random.Random(f"{SEED}:{REPURCHASE}:{code}:{day.isoformat()}")
            served = rng.randint(8, 20)
            share = 0.25 + 0.1 * SKILL.get(code, 0)
            rows.append({"agent": code, "kpi": REPURCHASE, "source": "shop", "date": day.isoformat(),
                         "external_id": f"{REPURCHASE}-{code}-{day.isoformat()}",
                         "numerator": sum(rng.random() < share for _ in range(served)), "denominator": served})
    result = tenant_kpi_value_ingest(actor=actor, rows=((f"rows.{i}", row) for i, row in enumerate(rows)),
                                     via="seed_demo")
    return DemoTenantKpis(definition, {"created": result.created, "updated": result.updated,
                                       "unchanged": result.unchanged})
