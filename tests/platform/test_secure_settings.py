"""Settings refuse to run without a secret key when debug is off; the documented production environment passes
Django's deployment checks; throttling trusts X-Forwarded-For only behind declared proxies."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

ROOT = Path(__file__).resolve().parents[2]
# The production environment of README's "Production" section (values as there, host and origin examples).
PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": "a-long-random-production-value-0123456789-abcdefghijklmnopqrstuvwxyz",
    "DJANGO_ALLOWED_HOSTS": "api.example.com",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://api.example.com",
    "TRUSTED_PROXIES": "1",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k != "TRUSTED_PROXIES"}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env={**base, **env},
                          capture_output=True, text=True, timeout=120)


def printed(code: str, **env: str) -> str:
    return manage("shell", "--verbosity", "0", "--command", code, **env).stdout.strip()


def test_the_production_environment_passes_the_deployment_checks():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_deployment_checks_fail_when_https_is_turned_off():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_ENV, DJANGO_HTTPS="false")
    assert result.returncode != 0
    assert "security.W008" in result.stderr and "security.W012" in result.stderr


@pytest.mark.parametrize("key", [None, "", "jixiao-insecure-development-key-change-me-in-production"])
def test_settings_refuse_to_start_without_a_real_secret_key(key):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DJANGO_SECRET_KEY"}
    if key is not None:
        env["DJANGO_SECRET_KEY"] = key
    result = manage("check", **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_debug_is_off_by_default_and_the_development_key_is_only_accepted_with_debug_on():
    code = "from django.conf import settings as s; print(s.DEBUG, s.SECRET_KEY[:6], s.SECURE_SSL_REDIRECT)"
    assert printed(code, DJANGO_SECRET_KEY="k" * 50) == "False kkkkkk True"
    assert printed(code, DJANGO_DEBUG="true") == "True jixiao False"


def test_forwarded_headers_are_trusted_only_when_a_proxy_is_declared():
    code = ("from django.conf import settings; from rest_framework.settings import api_settings; "
            "print(api_settings.NUM_PROXIES, settings.SECURE_PROXY_SSL_HEADER)")
    assert printed(code, **{**PRODUCTION_ENV, "TRUSTED_PROXIES": "0"}) == "0 None"
    assert printed(code, **PRODUCTION_ENV) == "1 ('HTTP_X_FORWARDED_PROTO', 'https')"


def login(client: APIClient, forwarded_for: str):
    return client.post("/api/v1/auth/token/", {"email": "nobody@acme.test", "password": "x"}, format="json",
                       REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR=forwarded_for)


@pytest.fixture
def three_per_minute(monkeypatch):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"auth": "3/min"})


def test_a_rotating_forwarded_for_header_does_not_bypass_the_login_throttle(db, three_per_minute):
    client = APIClient()
    statuses = [login(client, f"203.0.113.{i}").status_code for i in range(4)]
    assert statuses == [401, 401, 401, 429]


def test_behind_one_trusted_proxy_the_right_most_forwarded_address_is_the_client(db, settings, three_per_minute):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    client = APIClient()
    # The client may put anything on the left; the proxy appends the address it saw, which is what counts.
    statuses = [login(client, f"198.51.100.{i}, 203.0.113.7").status_code for i in range(4)]
    assert statuses == [401, 401, 401, 429]
    assert login(client, "198.51.100.1, 203.0.113.8").status_code == 401  # another client behind the proxy
