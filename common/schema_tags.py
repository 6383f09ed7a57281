"""The resource groups of the API docs, in the order the docs show them (SPECTACULAR_SETTINGS["TAGS"]).

Operations are tagged by their path (common/schema.py); a resource missing here still gets its tag, only without
a description and at the end.
"""

from django.utils.translation import gettext_lazy as _

API_TAGS = [
    {"name": "auth", "description": _("Log in with email and password to get a JWT access token (send it as "
                                      "`Authorization: Bearer <access>`) and a refresh token to renew it. "
                                      "Integrations send `Authorization: Api-Key jx_<prefix>.<secret>` instead.")},
    {"name": "me", "description": _("The caller and the tenants they belong to, with their role in each.")},
    {"name": "members", "description": _("People with access to the tenant and their role (admin, supervisor, "
                                         "qa_lead, qa_inspector, agent). Admins only.")},
    {"name": "teams", "description": _("Teams of agents. Supervisors and inspectors work on the teams granted to "
                                       "them.")},
    {"name": "agents", "description": _("Agents, the people whose interactions are scored; an agent may be linked "
                                        "to a member's login so that they see their own data.")},
    {"name": "api-keys", "description": _("Keys for integrations that send interactions and shifts. The full key "
                                          "is shown once, when it is created.")},
    {"name": "grants", "description": _("Object-level permissions of a member on a team: `view`, `manage` or "
                                        "`review`.")},
    {"name": "audit-log", "description": _("Every change that matters: who (user or API key), what, before and "
                                           "after, newest first.")},
    {"name": "interactions", "description": _("Calls, chats, emails and tickets, ingested one at a time, as JSON "
                                              "batches or as CSV files; upserted by source and external_id.")},
    {"name": "shifts", "description": _("Scheduled, worked and logged-in minutes per agent and day; ingested like "
                                        "interactions.")},
    {"name": "scenarios", "description": _("The tenant's scenario codes (e.g. complaint, inquiry): interactions "
                                           "carry one, scheme versions and rubrics can be limited to one.")},
    {"name": "kpis", "description": _("The built-in KPI catalog: code, unit, direction, formula and sample basis. "
                                      "Raw values are exact decimals rounded half-up to 4 places; a KPI whose "
                                      "denominator is zero has no value.")},
    {"name": "schemes", "description": _("Scoring schemes and their versions: the KPIs, weights, floors and targets "
                                         "that turn raw KPI values into points and totals, in effect over a date "
                                         "range for a scope (a scenario or none, some teams or all).")},
    {"name": "periods", "description": _("KPI periods (monthly, quarterly, custom) and their life cycle: open → "
                                         "computing → computed → in_review → closed. A period is scored with the "
                                         "scheme versions in effect on its first day.")},
    {"name": "jobs", "description": _("Asynchronous computations of a period's scores: status, progress, counts, "
                                      "timings and errors.")},
    {"name": "scores", "description": _("Each agent's total, rank, percentile and per-KPI breakdown per period, "
                                        "adjustments of closed periods, and an agent's history across periods.")},
    {"name": "rubrics", "description": _("QA rubrics: the criteria inspectors rate interactions on.")},
    {"name": "rubric-versions", "description": _("Versions of a rubric: drafts are edited, a published version "
                                                 "is frozen and used by new reviews.")},
    {"name": "qa-reviews", "description": _("QA reviews of interactions: draft → submitted → published (the agent "
                                            "sees it); a published review is amended by a new revision.")},
    {"name": "qa-assignments", "description": _("Inspectors' queues: sampled interactions to review, and QA "
                                                "coverage per agent.")},
    {"name": "qa-assignment-batches", "description": _("The sampling runs that created assignments, with their "
                                                       "seeds (reproducible).")},
    {"name": "calibrations", "description": _("Calibration sessions: inspectors score the same interactions blind, "
                                              "then see their agreement with the lead's reference.")},
    {"name": "appeals", "description": _("Agents appeal their published QA reviews and period scores: submitted → "
                                         "in_review → upheld | overturned | partially_overturned, withdrawn "
                                         "before a decision, escalated once to a final second-level decision. "
                                         "Decisions are applied at once (a new review revision and a "
                                         "recomputation, or a score adjustment); comments, history, files.")},
    {"name": "reports", "description": _("Reports across a period: the appeals report (states, outcomes, time to "
                                         "decision, SLA breaches, whose reviews are disputed most).")},
]
