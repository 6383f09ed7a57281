import pytest

from tests.common.receiver import Receiver


@pytest.fixture
def receiver(settings):
    """A local webhook receiver; private URLs are allowed so jixiao may call it."""
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True
    server = Receiver()
    yield server
    server.close()
