"""QA sampling: seeded picks spread over channels and days, even distribution, queue, skip and coverage."""

from collections import Counter
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from accounts.models import AuditEvent
from feedback.models import QAAssignment, QAAssignmentBatch
from feedback.services.sampling import Candidate, distribute, pick_for_agent
from performance.models import Interaction
from tests.factories import AgentFactory, InteractionFactory, MembershipFactory
from tests.feedback.factories import actor_for, answers_for, published_review

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day, hour=10):
    return datetime(2026, 3, day, hour, tzinfo=SHANGHAI)


# --- the picking and dealing rules, without the database -------------------------------------------------

def grid(agent_id=1, channels=("phone", "chat"), days=5, per_day=3):
    out, n = [], 0
    for channel in channels:
        for d in range(1, days + 1):
            for _ in range(per_day):
                n += 1
                out.append(Candidate(agent_id * 1000 + n, agent_id, None, channel, date(2026, 3, d)))
    return out


def test_picks_alternate_channels_then_days():
    picks = pick_for_agent(grid(), 4, seed=7)
    assert Counter(p.channel for p in picks) == {"phone": 2, "chat": 2}
    for channel in ("phone", "chat"):
        days = [p.day for p in picks if p.channel == channel]
        assert len(set(days)) == len(days)
    ten = pick_for_agent(grid(), 10, seed=7)  # 5 per channel, every day once per channel
    assert Counter((p.channel, p.day) for p in ten) == {(c, date(2026, 3, d)): 1 for c in ("phone", "chat")
                                                          for d in range(1, 6)}


def test_picks_are_reproducible_and_depend_on_the_seed():
    candidates = grid()
    assert pick_for_agent(candidates, 6, seed=42) == pick_for_agent(list(reversed(candidates)), 6, seed=42)
    assert pick_for_agent(candidates, 6, seed=42) != pick_for_agent(candidates, 6, seed=43)
    assert pick_for_agent(candidates, 100, seed=1) and len(pick_for_agent(candidates, 100, seed=1)) == 30


def test_dealing_is_even_and_never_gives_inspectors_their_own_interactions():
    picks = {agent: pick_for_agent(grid(agent), 4, seed=3) for agent in (1, 2, 3)}  # 12 picks
    dealt = distribute(picks, [10, 11, 12], agent_users={1: None, 2: 11, 3: None}, seed=3)
    load = Counter(inspector for _, inspector in dealt)
    assert sorted(load.values()) == [4, 4, 4]
    assert all(inspector != 11 for candidate, inspector in dealt if candidate.agent_id == 2)
    # one agent's picks are spread over inspectors, not all given to one
    assert len({inspector for c, inspector in dealt if c.agent_id == 1}) >= 2
    eleven = distribute({1: pick_for_agent(grid(1), 11, seed=3)}, [10, 11, 12], {1: None}, seed=3)
    assert sorted(Counter(i for _, i in eleven).values()) == [3, 4, 4]
    # nobody can take an agent's own interaction when they are the only inspector
    assert distribute({2: picks[2]}, [11], {2: 11}, seed=3) == [(c, None) for c in picks[2]]


# --- through the API ---------------------------------------------------------------------------------------

@pytest.fixture
def lead(cast, client_as):
    return client_as(cast.users["qa_lead"])


@pytest.fixture
def month(cast, version):
    """Every north and south agent: 2 phone + 2 chat interactions on 4 different days of March 2026, plus
    interactions that must never be sampled."""
    agents = cast.north_agents + cast.south_agents
    for agent in agents:
        for i, channel in enumerate(["phone", "phone", "chat", "chat"]):
            InteractionFactory(agent=agent, channel=channel, started_at=at(i + 2))
    never = {
        "unanswered": InteractionFactory(agent=agents[1], answered=False, started_at=at(5)),
        "before": InteractionFactory(agent=agents[1], started_at=datetime(2026, 2, 28, 23, 30, tzinfo=SHANGHAI)),
        # 2026-03-31 16:00 UTC is April 1st in Shanghai: outside [Mar 1, Apr 1)
        "after": InteractionFactory(agent=agents[1], started_at=datetime(2026, 3, 31, 16, tzinfo=ZoneInfo("UTC"))),
        "reviewed": InteractionFactory(agent=agents[1], started_at=at(6)),
        "elsewhere": InteractionFactory(agent=cast.other_agent, started_at=at(6)),
    }
    published_review(inspector=cast.users["qa_lead"], interaction=never["reviewed"], version=version,
                     ratings=[5, 1, 10, 3])
    return never


def generate(cast, client, **body):
    defaults = {"date_from": "2026-03-01", "date_to": "2026-04-01", "teams": [cast.north.pk, cast.south.pk],
                "inspectors": [cast.users["qa_inspector"].pk, cast.users["qa_lead"].pk], "per_agent": 2}
    body = {k: v for k, v in (defaults | body).items() if v is not None or k in ("per_agent", "percent")}
    return client.post(cast.url("qa-assignments/generate/"), body, format="json")


def picks(batch_id):
    return set(QAAssignment.objects.filter(batch_id=batch_id).values_list("interaction_id", "inspector_id"))


def test_generate_picks_k_per_agent_spread_and_even(cast, lead, month):
    response = generate(cast, lead, seed=42)
    assert response.status_code == 201, response.content
    batch = response.json()
    # 6 agents x 4 eligible interactions (the 5 extra ones never qualify)
    assert (batch["seed"], batch["candidates"], batch["picked"], batch["unassigned"]) == (42, 24, 12, 0)
    assert sorted(row["assigned"] for row in batch["per_inspector"]) == [6, 6]
    assignments = QAAssignment.objects.filter(batch_id=batch["id"]).select_related("interaction")
    assert Counter(a.agent_id for a in assignments) == {a.pk: 2 for a in cast.north_agents + cast.south_agents}
    # per agent: one phone and one chat
    for agent in cast.north_agents + cast.south_agents:
        assert sorted(a.interaction.channel for a in assignments if a.agent_id == agent.pk) == ["chat", "phone"]
    assert not {a.interaction_id for a in assignments} & {i.pk for i in month.values()}
    event = AuditEvent.objects.get(action="qa_assignments.generated")
    assert event.changes["after"]["seed"] == 42 and event.changes["after"]["picked"] == 12


def test_same_seed_same_picks(cast, lead, month):
    first = picks(generate(cast, lead, seed=42).json()["id"])
    QAAssignmentBatch.objects.all().delete()
    assert picks(generate(cast, lead, seed=42).json()["id"]) == first
    QAAssignmentBatch.objects.all().delete()
    assert picks(generate(cast, lead, seed=43).json()["id"]) != first


def test_no_seed_stores_a_random_one(cast, lead, month):
    batch = generate(cast, lead).json()
    assert isinstance(batch["seed"], int)
    assert QAAssignmentBatch.objects.get(pk=batch["id"]).seed == batch["seed"]


def test_assigned_interactions_are_not_sampled_again(cast, lead, month):
    first = generate(cast, lead, seed=1, per_agent=3).json()
    second = generate(cast, lead, seed=1, per_agent=3).json()
    # 24 candidates, 18 assigned by the first batch: 6 left, 1 per agent
    assert (second["candidates"], second["picked"]) == (6, 6)
    assert not {i for i, _ in picks(first["id"])} & {i for i, _ in picks(second["id"])}


def test_percent_of_answered_interactions_rounded_up(cast, lead, month):
    # north agent N001 has 4 + reviewed = 5 answered in March (unanswered does not count): 30% -> 1.5 -> 2;
    # the others have 4: 30% -> 1.2 -> 2
    batch = generate(cast, lead, seed=5, per_agent=None, percent="30").json()
    assert batch["picked"] == 12
    batch = generate(cast, lead, seed=5, per_agent=None, percent="10", teams=[cast.south.pk]).json()
    assert batch["picked"] == 3  # 0.4 -> 1 each


def test_inspectors_never_get_their_own_interactions(cast, lead, month):
    user = MembershipFactory(tenant=cast.tenant, role="qa_inspector").user
    themselves = AgentFactory(team=cast.south, user=user, employee_code="S900")
    for day in (2, 3, 4):
        InteractionFactory(agent=themselves, started_at=at(day))
    batch = generate(cast, lead, seed=9, teams=[cast.south.pk], inspectors=[user.pk, cast.users["qa_inspector"].pk])
    assignments = QAAssignment.objects.filter(batch_id=batch.json()["id"])
    assert assignments.filter(agent=themselves).exists()
    assert not assignments.filter(agent=themselves, inspector=user).exists()
    loads = sorted(Counter(assignments.values_list("inspector_id", flat=True)).values())
    assert loads == [4, 4]  # 4 agents x 2 picks, split evenly despite the constraint
    # alone, they cannot take their own interactions: those stay unassigned
    batch = generate(cast, lead, seed=9, teams=[cast.south.pk], inspectors=[user.pk]).json()
    assert batch["unassigned"] == 1 and batch["picked"] == 6  # S900 has 1 interaction left; S000-S002 2 each


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"per_agent": None}, "per_agent"),
        ({"percent": "10"}, "per_agent"),
        ({"date_to": "2026-03-01"}, "date_to"),
        ({"teams": ["{other_team}"]}, "teams"),
        ({"inspectors": ["{agent_user}"]}, "inspectors"),
        ({"inspectors": []}, "inspectors"),
    ],
)
def test_generate_validation(cast, lead, month, body, field):
    ids = {"{other_team}": cast.other_team.pk, "{agent_user}": cast.users["agent"].pk}
    body = {k: ([ids.get(x, x) for x in v] if isinstance(v, list) else v) for k, v in body.items()}
    response = generate(cast, lead, **body)
    assert response.status_code == 400
    assert field in [e["field"] for e in response.json()["errors"]]
    assert not QAAssignmentBatch.objects.exists()


def test_queue_review_and_skip(cast, client_as, lead, month, version):
    batch = generate(cast, lead, seed=11, teams=[cast.south.pk], inspectors=[cast.users["qa_inspector"].pk]).json()
    inspector = client_as(cast.users["qa_inspector"])
    queue = inspector.get(cast.url("qa-assignments/?mine=1&status=pending")).json()
    assert queue["count"] == 6 and {row["batch"] for row in queue["results"]} == {batch["id"]}
    assert lead.get(cast.url("qa-assignments/?mine=1")).json()["count"] == 0
    assert lead.get(cast.url("qa-assignments/?mine=0")).json()["count"] == 6

    # the inspector has no grant on south, but may now see and review the assigned interactions
    actor = actor_for(cast.users["qa_inspector"], cast.tenant)
    first, second = queue["results"][0], queue["results"][1]
    assert Interaction.objects.for_actor(actor).filter(team=cast.south).count() == 6
    response = inspector.post(cast.url("qa-reviews/"), {"interaction": first["interaction"],
                              "rubric_version": version.pk, "answers": answers_for(version, [5, 1, 10, 3])},
                              format="json")
    assert response.status_code == 201, response.content
    inspector.post(cast.url(f"qa-reviews/{response.json()['id']}/submit/"))
    done = inspector.get(cast.url(f"qa-assignments/{first['id']}/")).json()
    assert (done["status"], done["review"]) == ("done", response.json()["id"])

    skip_url = cast.url(f"qa-assignments/{second['id']}/skip/")
    assert inspector.post(skip_url, {}, format="json").status_code == 400
    response = inspector.post(skip_url, {"reason": "Recording missing"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "skipped"
    assert inspector.post(skip_url, {"reason": "again"}, format="json").status_code == 409
    assert inspector.post(cast.url(f"qa-assignments/{first['id']}/skip/"), {"reason": "x"},
                          format="json").status_code == 409
    # a skipped interaction is out of the inspector's reach again, and may be sampled again
    skipped = QAAssignment.objects.get(pk=second["id"]).interaction_id
    assert not Interaction.objects.for_actor(actor).filter(pk=skipped).exists()
    again = generate(cast, lead, seed=11, teams=[cast.south.pk], per_agent=5).json()
    assert skipped in {i for i, _ in picks(again["id"])}


def test_other_inspectors_cannot_touch_my_queue(cast, client_as, lead, month):
    generate(cast, lead, seed=2, teams=[cast.south.pk], inspectors=[cast.users["qa_inspector"].pk])
    other = MembershipFactory(tenant=cast.tenant, role="qa_inspector").user
    client = client_as(other)
    assignment = QAAssignment.objects.first()
    assert client.get(cast.url("qa-assignments/")).json()["count"] == 0
    assert client.post(cast.url(f"qa-assignments/{assignment.pk}/skip/"), {"reason": "x"},
                       format="json").status_code == 404
    assert lead.post(cast.url(f"qa-assignments/{assignment.pk}/skip/"), {"reason": "x"},
                     format="json").status_code == 200


def test_coverage_per_agent(cast, client_as, lead, month, version):
    batch = generate(cast, lead, seed=4, teams=[cast.south.pk], inspectors=[cast.users["qa_inspector"].pk]).json()
    s0 = cast.south_agents[0]
    mine = QAAssignment.objects.filter(agent=s0).first()
    published_review(inspector=cast.users["qa_inspector"], interaction=mine.interaction, version=version,
                     ratings=[5, 1, 10, 3])
    rows = lead.get(cast.url(f"qa-assignments/coverage/?batch={batch['id']}")).json()["results"]
    assert [(r["employee_code"], r["interactions"], r["assigned"], r["reviewed"]) for r in rows] == [
        ("S000", 4, 2, 1), ("S001", 4, 2, 0), ("S002", 4, 2, 0)]
    # by date range, both teams: N001 has 4 + unanswered + reviewed = 6 in March, 1 reviewed, 0 assigned
    rows = lead.get(cast.url("qa-assignments/coverage/?date_from=2026-03-01&date_to=2026-04-01"
                             f"&team={cast.north.pk}&team={cast.south.pk}")).json()["results"]
    assert {r["employee_code"]: (r["interactions"], r["assigned"], r["reviewed"]) for r in rows} == {
        "N000": (4, 0, 0), "N001": (6, 0, 1), "N002": (4, 0, 0), "S000": (4, 2, 1), "S001": (4, 2, 0),
        "S002": (4, 2, 0)}
    # the supervisor sees the agents of north only
    rows = client_as(cast.users["supervisor"]).get(
        cast.url("qa-assignments/coverage/?date_from=2026-03-01&date_to=2026-04-01")).json()["results"]
    assert [r["employee_code"] for r in rows] == ["N000", "N001", "N002"]
    assert lead.get(cast.url("qa-assignments/coverage/")).status_code == 400


def test_assignment_list_and_coverage_have_bounded_queries(cast, lead, django_assert_max_num_queries):
    agents = [AgentFactory(team=cast.south) for _ in range(25)]
    for agent in agents:
        InteractionFactory(agent=agent, started_at=at(3))
        InteractionFactory(agent=agent, started_at=at(4), channel="chat")
    generate(cast, lead, seed=1, teams=[cast.south.pk], per_agent=1)
    with django_assert_max_num_queries(6):
        assert lead.get(cast.url("qa-assignments/?page_size=5")).status_code == 200
    with django_assert_max_num_queries(6):
        body = lead.get(cast.url("qa-assignments/?page_size=50")).json()
    assert len(body["results"]) == 25
    with django_assert_max_num_queries(6):
        body = lead.get(cast.url("qa-assignments/coverage/?date_from=2026-03-01&date_to=2026-04-01&page_size=50"))
    assert body.json()["count"] == 31  # 6 cast agents + 25


@pytest.mark.parametrize("seed", range(40))
def test_dealing_stays_even_when_inspectors_are_also_agents(seed):
    # inspectors 10 and 11 are agents 1 and 2; 5 agents x 3 picks = 15 over 3 inspectors -> 5 each
    picks = {agent: pick_for_agent(grid(agent), 3, seed=seed) for agent in (1, 2, 3, 4, 5)}
    dealt = distribute(picks, [10, 11, 12], agent_users={1: 10, 2: 11}, seed=seed)
    assert sorted(Counter(i for _, i in dealt).values()) == [5, 5, 5]
    assert not [c for c, i in dealt if (c.agent_id, i) in {(1, 10), (2, 11)}]


def test_a_kpi_period_gives_the_range(cast, lead, month):
    from tests.performance.conftest import make_period

    march = make_period(cast.tenant, start=date(2026, 3, 1), end=date(2026, 4, 1))
    batch = generate(cast, lead, seed=42, date_from=None, date_to=None, period=march.pk)
    assert batch.status_code == 201, batch.content
    assert (batch.json()["date_from"], batch.json()["date_to"], batch.json()["candidates"]) == (
        "2026-03-01", "2026-04-01", 24)
    both = generate(cast, lead, seed=42, period=march.pk)
    assert both.status_code == 400 and both.json()["errors"][0]["field"] == "period"
    rows = lead.get(cast.url(f"qa-assignments/coverage/?period={march.pk}&team={cast.south.pk}")).json()["results"]
    assert [(r["employee_code"], r["interactions"], r["assigned"]) for r in rows] == [
        ("S000", 4, 2), ("S001", 4, 2), ("S002", 4, 2)]
