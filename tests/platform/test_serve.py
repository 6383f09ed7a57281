"""scripts/serve.sh (what scripts/up.sh ends with) serves the API under gunicorn with static files, debug off,
and a TERM to it stops the API and the Celery worker: nothing of it is left running."""

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def status_of(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


def wait_until(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def session_processes(session_id: int) -> list[str]:
    ps = subprocess.run(["ps", "-e", "-o", "pid=,sid=,args="], capture_output=True, text=True, check=True)
    return [line for line in ps.stdout.splitlines() if line.split()[1] == str(session_id)]


@pytest.fixture(scope="module")
def collected_static():
    subprocess.run([str(ROOT / ".venv/bin/python"), "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
                   cwd=ROOT, check=True, timeout=120)


def test_serve_runs_gunicorn_and_the_worker_and_stops_both_on_term(db, settings, tmp_path, collected_static):
    database = settings.DATABASES["default"]
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_DEBUG"},
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "CELERY_QUEUE": f"jixiao-test-{uuid.uuid4().hex[:12]}",
        "PORT": str(port),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "JIXIAO_RUN_DIR": str(tmp_path),
    }
    log = open(tmp_path / "serve.log", "w")
    serve = subprocess.Popen(["bash", str(ROOT / "scripts/serve.sh")], cwd=ROOT, env=env, stdout=log,
                             stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: status_of(f"{base}/api/v1/") == 200, 60, "the API")
        wait_until(lambda: " ready." in (tmp_path / "celery.log").read_text(), 60, "the Celery worker")
        assert status_of(f"{base}/static/admin/css/base.css") == 200  # WhiteNoise, with debug off
        assert status_of(f"{base}/admin/login/") == 200
        assert len(session_processes(serve.pid)) >= 4  # bash, gunicorn's arbiter and workers, celery

        serve.send_signal(signal.SIGTERM)
        assert serve.wait(timeout=60) == 143
        wait_until(lambda: not session_processes(serve.pid), 10, "every process of serve.sh to exit")
        assert status_of(f"{base}/api/v1/") is None
    finally:
        for line in session_processes(serve.pid):
            os.kill(int(line.split()[0]), signal.SIGKILL)
        log.close()
    assert "Booting worker" in (tmp_path / "serve.log").read_text()
