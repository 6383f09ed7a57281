"""Id filters accept only ids the caller may see: another tenant's id gets exactly the answer of an id that
exists nowhere (a 400 naming the parameter), so the answer tells nothing about other tenants."""

import pytest

from accounts.models import APIKey
from feedback.models import QAReview
from tests.factories import ScenarioFactory
from tests.feedback.factories import globex_qa_ids
from tests.performance.conftest import globex_scoring_ids, make_period
from tests.strict.conftest import error_fields

NOWHERE = 2_000_000_000


def _foreign(cast, name: str) -> int:
    qa, scoring = globex_qa_ids(cast), globex_scoring_ids(cast)
    from performance.models import SchemeVersion

    return {
        "agent": lambda: cast.other_agent.pk,
        "team": lambda: cast.other_team.pk,
        "user": lambda: cast.outsider.pk,
        "interaction": lambda: QAReview.objects.get(pk=qa["qa-reviews"]).interaction_id,
        "rubric": lambda: qa["rubrics"],
        "rubric_version": lambda: qa["rubric-versions"],
        "batch": lambda: qa["qa-assignment-batches"],
        "calibration": lambda: qa["calibrations"],
        "scenario": lambda: ScenarioFactory(tenant=cast.other_tenant, code="elsewhere").pk,
        "period": lambda: scoring["periods"],
        "scheme_version": lambda: SchemeVersion.objects.get(scheme_id=scoring["schemes"]).pk,
        "api_key": lambda: APIKey.objects.create(tenant=cast.other_tenant, name="k", prefix="globexk",
                                                 hashed_secret="x").pk,
    }[name]()


# (list, parameter, kind of object); the first eight are the ones found leaking.
ID_FILTERS = [
    ("agents/", "team", "team"),
    ("qa-reviews/", "interaction", "interaction"),
    ("qa-reviews/", "inspector", "user"),
    ("qa-reviews/", "rubric_version", "rubric_version"),
    ("qa-assignments/", "batch", "batch"),
    ("qa-assignments/", "agent", "agent"),
    ("rubric-versions/", "rubric", "rubric"),
    ("calibrations/", "rubric_version", "rubric_version"),
    ("qa-reviews/", "agent", "agent"),
    ("qa-reviews/", "team", "team"),
    ("qa-reviews/", "rubric", "rubric"),
    ("qa-reviews/", "calibration", "calibration"),
    ("qa-assignments/", "team", "team"),
    ("qa-assignments/", "inspector", "user"),
    ("qa-assignments/", "interaction", "interaction"),
    ("calibrations/", "lead", "user"),
    ("interactions/", "agent", "agent"),
    ("interactions/", "team", "team"),
    ("interactions/", "scenario", "scenario"),
    ("shifts/", "agent", "agent"),
    ("shifts/", "team", "team"),
    ("periods/{period}/scores/", "team", "team"),
    ("periods/{period}/scores/", "agent", "agent"),
    ("periods/{period}/scores/", "scheme_version", "scheme_version"),
    ("jobs/", "period", "period"),
    ("grants/", "team", "team"),
    ("grants/", "user", "user"),
    ("audit-log/", "actor_user", "user"),
    ("audit-log/", "actor_api_key", "api_key"),
]


@pytest.mark.parametrize(("path", "param", "kind"), ID_FILTERS)
def test_another_tenants_id_reads_as_one_that_exists_nowhere(cast, client_as, path, param, kind):
    admin = client_as(cast.users["admin"])
    path = path.format(period=make_period(cast.tenant).pk) if "{period}" in path else path

    foreign = admin.get(cast.url(f"{path}?{param}={_foreign(cast, kind)}"))
    nowhere = admin.get(cast.url(f"{path}?{param}={NOWHERE}"))

    assert foreign.status_code == nowhere.status_code == 400, foreign.content
    assert error_fields(foreign) == error_fields(nowhere) == [(param, "invalid_choice")]
    assert foreign.json()["errors"] == nowhere.json()["errors"]


def test_an_id_outside_the_callers_grants_reads_the_same_way(cast, client_as):
    supervisor = client_as(cast.users["supervisor"])

    south = supervisor.get(cast.url(f"agents/?team={cast.south.pk}"))
    north = supervisor.get(cast.url(f"agents/?team={cast.north.pk}"))

    assert error_fields(south) == [("team", "invalid_choice")]
    assert north.status_code == 200
    assert {row["employee_code"] for row in north.json()["results"]} == {"N000", "N001", "N002"}


@pytest.mark.parametrize("value", ["abc", "1.5", "-1", "99999999999999999999"])
def test_a_malformed_id_is_the_same_400(cast, client_as, value):
    response = client_as(cast.users["admin"]).get(cast.url(f"agents/?team={value}"))

    assert error_fields(response) == [("team", "invalid_choice")]
