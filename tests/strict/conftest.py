import pytest

from accounts.models import AuditEvent
from tests.factories import InteractionFactory
from tests.feedback.factories import make_version as make_rubric_version
from tests.performance.conftest import make_period
from tests.performance.conftest import make_version as make_scheme_version


def error_fields(response) -> list[tuple[str, str]]:
    return [(error["field"], error["code"]) for error in response.json()["errors"]]


@pytest.fixture
def objects(cast):
    """One of each object the bodies below refer to, in acme."""
    return {
        "scheme_version": make_scheme_version(cast.tenant),
        "period": make_period(cast.tenant),
        "rubric_version": make_rubric_version(cast.tenant, name="Standard"),
        "interaction": InteractionFactory(agent=cast.north_agents[1]),
    }


@pytest.fixture
def audit_unchanged(cast):
    """Asserts, after the test body, that nothing was written (every service appends an audit event)."""
    before = AuditEvent.objects.count()
    yield
    assert AuditEvent.objects.count() == before
