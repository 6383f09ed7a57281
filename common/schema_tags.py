"""The resource groups of the API docs, in the order the docs show them (SPECTACULAR_SETTINGS["TAGS"]).

Operations are tagged by their path (common/schema.py); a resource missing here still gets its tag, only without
a description and at the end. Plain English strings: the schema is not translated.
"""

API_TAGS = [
    {"name": "index", "description": "Where to start: links to the schema, the docs, the login and the entry points."},
    {"name": "auth", "description": ("Log in with email and password to get a JWT access token (send it as "
                                     "`Authorization: Bearer <access>`) and a refresh token to renew it. "
                                     "Integrations send `Authorization: Api-Key jx_<prefix>.<secret>` instead.")},
    {"name": "me", "description": "The caller and the tenants they belong to, with their role in each."},
    {"name": "tenants", "description": ("Creating tenants with their first admin, and the list of every tenant: "
                                        "platform staff only.")},
    {"name": "invitations", "description": ("How people join a tenant: admins invite an email with a role; the "
                                            "person previews and accepts the mailed link (public, throttled).")},
    {"name": "members", "description": ("People with access to the tenant and their role (admin, supervisor, "
                                        "qa_lead, qa_inspector, agent). Admins only.")},
    {"name": "teams", "description": ("Teams of agents. Supervisors and inspectors work on the teams granted to "
                                      "them.")},
    {"name": "agents", "description": ("Agents, the people whose interactions are scored; an agent may be linked "
                                       "to a member's login so that they see their own data.")},
    {"name": "api-keys", "description": ("Keys for integrations that send interactions and shifts. The full key "
                                         "is shown once, when it is created.")},
    {"name": "grants", "description": ("Object-level permissions of a member on a team: `view`, `manage` or "
                                       "`review`.")},
    {"name": "audit-log", "description": ("Every change that matters: who (user or API key), what, before and "
                                          "after, newest first.")},
    {"name": "interactions", "description": ("Calls, chats, emails and tickets, ingested one at a time, as JSON "
                                             "batches or as CSV files; upserted by source and external_id.")},
    {"name": "shifts", "description": ("Scheduled, worked and logged-in minutes per agent and day; ingested like "
                                       "interactions.")},
    {"name": "scenarios", "description": ("The tenant's scenario codes (e.g. complaint, inquiry): interactions "
                                          "carry one, scheme versions and rubrics can be limited to one.")},
    {"name": "kpis", "description": ("The built-in KPI catalog: code, unit, direction, formula and sample basis. "
                                     "Raw values are exact decimals rounded half-up to 4 places; a KPI whose "
                                     "denominator is zero has no value.")},
    {"name": "kpi-definitions", "description": ("The tenant's own KPIs (e.g. repeat-purchase rate, training "
                                                "scores): code, unit, direction and how an agent's values combine "
                                                "over a period (sum, mean, last, or a ratio of two sums). Admins.")},
    {"name": "kpi-values", "description": ("Per-agent values of the tenant's own KPIs, per day or per period; "
                                           "ingested like interactions (one, JSON batches, CSV; upsert by source "
                                           "and external_id).")},
    {"name": "schemes", "description": ("Scoring schemes and their versions: the KPIs, weights, floors and targets "
                                        "that turn raw KPI values into points and totals, in effect over a date "
                                        "range for a scope (a scenario or none, some teams or all).")},
    {"name": "periods", "description": ("KPI periods (monthly, quarterly, custom) and their life cycle: open → "
                                        "computing → computed → in_review → closed. A period is scored with the "
                                        "scheme versions in effect on its first day.")},
    {"name": "jobs", "description": ("Asynchronous computations of a period's scores: status, progress, counts, "
                                     "timings and errors.")},
    {"name": "scores", "description": ("Each agent's total, rank, percentile and per-KPI breakdown per period, "
                                       "adjustments of closed periods, and an agent's history across periods.")},
    {"name": "rubrics", "description": "QA rubrics: the criteria inspectors rate interactions on."},
    {"name": "rubric-versions", "description": ("Versions of a rubric: drafts are edited, a published version "
                                                "is frozen and used by new reviews.")},
    {"name": "qa-reviews", "description": ("QA reviews of interactions: draft → submitted → published (the agent "
                                           "sees it); a published review is amended by a new revision.")},
    {"name": "qa-assignments", "description": ("Inspectors' queues: sampled interactions to review, and QA "
                                               "coverage per agent.")},
    {"name": "qa-assignment-batches", "description": ("The sampling runs that created assignments, with their "
                                                      "seeds (reproducible).")},
    {"name": "calibrations", "description": ("Calibration sessions: inspectors score the same interactions blind, "
                                             "then see their agreement with the lead's reference.")},
    {"name": "reward-rules", "description": ("Reward rules and their versions: score tiers, rank (top N or top "
                                             "P %), best team, improvement; eligibility gates; fixed or "
                                             "percent-of-base amounts, budget caps and titles.")},
    {"name": "awards", "description": ("Awards per period: rule-based (provisional until the period closes, "
                                       "then frozen with adjustment entries), discretionary proposals; approval, "
                                       "payment, payroll export, and what-if simulations of rules.")},
    {"name": "reward-outcomes", "description": ("Why each agent in a rule's scope got an award or not: the gate "
                                                "that failed, the band missed, the cut-off, with the numbers.")},
    {"name": "leaderboard", "description": ("A period's ranking with tiers, titles and movement since the previous "
                                            "period; what agents see follows the tenant's privacy setting.")},
    {"name": "alert-rules", "description": ("Threshold rules on an interaction KPI of the tenant, a team, an "
                                            "agent or a channel over the last N hours, today or rolling N days "
                                            "(tenant time zone), with a minimum sample, a cooldown, recipients and "
                                            "webhook delivery; evaluated every minute and on demand.")},
    {"name": "alerts", "description": ("Breaches raised by alert rules, one per breach: open → acknowledged → "
                                       "resolved (by hand, or automatically once back within the threshold for a "
                                       "full window), with the value, threshold and sample, and the delivery log.")},
    {"name": "connections", "description": ("Help-desk connections (Zendesk, Freshdesk) that pull tickets, metrics "
                                            "and satisfaction into interactions incrementally: credentials (never "
                                            "returned), schedule, mappings of agents, channels, scenarios and csat, "
                                            "on-demand syncs.")},
    {"name": "connection-runs", "description": ("Every sync run of a connection: status, pages, tickets created, "
                                                "updated, unchanged, failed (with their errors) or waiting for an "
                                                "agent mapping, timings and the cursor reached.")},
    {"name": "notifications", "description": ("Each member's own in-app notifications (newest first, read or "
                                              "unread) and their choice to get them by email too.")},
    {"name": "webhooks", "description": ("The tenant's signed event deliveries to its own systems: URLs, "
                                         "subscribed event types, secrets, and every delivery with its attempts.")},
    {"name": "vocabulary", "description": ("The label of every code the API uses (channels, roles, statuses, "
                                           "units, ...), in the request's language.")},
    {"name": "appeals", "description": ("Agents appeal their published QA reviews and period scores: submitted → "
                                        "in_review → upheld | overturned | partially_overturned, withdrawn before "
                                        "a decision, escalated once to a final second-level decision. Decisions "
                                        "are applied at once (a new review revision and a recomputation, or a "
                                        "score adjustment); comments, history, files.")},
    {"name": "reports", "description": ("Chart-ready reports, aggregated in SQL and scoped to what the caller may "
                                        "see: trends across periods or inside one, distributions, team comparisons, "
                                        "correlations, channels, the landing dashboard, the appeals report and "
                                        "coaching per coach. Each names the score revision it read and downloads "
                                        "as CSV or XLSX with ?file_format=.")},
    {"name": "coaching", "description": ("Coaching sessions of supervisors and QA leads with agents: links to a QA "
                                         "review and criterion, a KPI or an appeal; goals with due dates; the "
                                         "agent's acknowledgement; follow-up; the effect before and after.")},
    {"name": "assessment-templates", "description": ("360 assessment templates: versioned questions rated on a "
                                                     "scale, grouped in competencies, with optional comments.")},
    {"name": "assessment-campaigns", "description": ("360 assessment campaigns per period: supervisors, chosen "
                                                     "peers, the agent and customers (one-time links) rate each "
                                                     "agent; progress; results shown only aggregated for peers "
                                                     "and customers, from the tenant's minimum number of "
                                                     "responses on. Results feed the assessment_* KPIs.")},
    {"name": "assessment-raters", "description": ("Who is asked in a 360 assessment campaign (admins): adding "
                                                  "assessed agents and chosen peers while it is open, removing a "
                                                  "rater or a customer link before they answer. Never whether or "
                                                  "what anyone answered.")},
    {"name": "assessment-requests", "description": ("The 360 assessments the caller is asked to give, and "
                                                    "answering them.")},
    {"name": "assessment-links", "description": ("A customer's one-time 360 assessment link: public (no account), "
                                                 "throttled, single use, with an expiry.")},
]
