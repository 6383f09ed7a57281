import pytest

from tests.factories import InteractionFactory
from tests.feedback.factories import actor_for, make_version


@pytest.fixture
def version(cast):
    """The standard published rubric version of acme (see tests/feedback/factories.STANDARD)."""
    return make_version(cast.tenant, name="Standard")


@pytest.fixture
def actors(cast):
    return {role: actor_for(user, cast.tenant) for role, user in cast.users.items()}


@pytest.fixture
def north_ix(cast):
    """An interaction of a north agent (not the logged-in agent's own)."""
    return InteractionFactory(agent=cast.north_agents[1])


@pytest.fixture
def own_ix(cast):
    """An interaction of the agent user's own agent record (north)."""
    return InteractionFactory(agent=cast.own_agent)


@pytest.fixture
def south_ix(cast):
    return InteractionFactory(agent=cast.south_agents[0])
