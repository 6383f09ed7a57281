"""The API docs pages work offline: every asset they load is one of our static files."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from rest_framework.test import APIClient

ASSET = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""")


@pytest.mark.parametrize("page", ["/api/docs/", "/api/redoc/"])
def test_docs_page_loads_only_local_static_assets(db, page):
    response = APIClient().get(page)
    assert response.status_code == 200
    html = response.content.decode()
    assert not re.search(r"https?://|//cdn|jsdelivr|unpkg|googleapis", html)
    assets = ASSET.findall(html)
    assert any(a.endswith(".js") for a in assets)
    prefix = static("")
    for asset in assets:
        assert asset.startswith(prefix), asset
        assert finders.find(asset.removeprefix(prefix)) is not None, asset
