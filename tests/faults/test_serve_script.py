"""scripts/serve.sh supervises gunicorn, the Celery worker and Celery beat: a process that dies is started again;
a TERM (or INT) to the script stops every one of them and leaves no process behind."""

import os
import re
import signal
import socket
import subprocess
import time

import pytest

from tests.conftest import ROOT
from tests.faults.conftest import db_url, wait_until

pytestmark = pytest.mark.faults


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _group_alive(pgid: int) -> list[str]:
    out = subprocess.run(["ps", "-o", "pid=,args=", "-g", str(pgid)], capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if line.strip()]


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_serve_restarts_a_dead_worker_and_beat_and_stops_everything(transactional_db, tmp_path, stop_signal):
    env = {**os.environ, "DATABASE_URL": db_url(), "PORT": str(_free_port()), "JIXIAO_RUN_DIR": str(tmp_path),
           "CELERY_QUEUE": f"jixiao-serve-{tmp_path.name}", "WEB_CONCURRENCY": "1", "CELERY_CONCURRENCY": "1"}
    out_path = tmp_path / "serve.out"
    with open(out_path, "w") as out:
        script = subprocess.Popen(["bash", "scripts/serve.sh"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                  start_new_session=True)
    pgid = script.pid
    try:
        def pids() -> dict[str, list[int]]:
            found: dict[str, list[int]] = {}
            for name, pid in re.findall(r"^(Celery worker|Celery beat|gunicorn) started \(pid (\d+)",
                                        out_path.read_text(), re.M):
                found.setdefault(name, []).append(int(pid))
            return found

        wait_until(lambda: len(pids()) == 3, timeout=60, what="the three processes", log=out_path.read_text)
        wait_until(lambda: "beat: Starting" in (tmp_path / "celery-beat.log").read_text(), timeout=60,
                   what="beat to start")
        for name in ("Celery worker", "Celery beat"):
            os.kill(pids()[name][-1], signal.SIGKILL)
            wait_until(lambda name=name: len(pids()[name]) == 2, timeout=30, what=f"{name} to be started again",
                       log=out_path.read_text)
            assert f"{name} exited (status 137); starting it again in 1 s." in out_path.read_text()
        restarted = {name: pids()[name][-1] for name in ("Celery worker", "Celery beat")}
        time.sleep(1)
        assert all(_is_running(pid) for pid in restarted.values()), out_path.read_text()

        script.send_signal(stop_signal)
        script.wait(timeout=60)
        wait_until(lambda: not _group_alive(pgid), timeout=30, what="every process to exit",
                   log=lambda: "\n".join(_group_alive(pgid)))
    finally:
        if script.poll() is None or _group_alive(pgid):
            os.killpg(pgid, signal.SIGKILL)


def _is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
