"""Two gunicorn instances on one machine, as the stack runs them behind nginx, each with the
project's gunicorn configuration: neither takes the other's control socket."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from stack.common import free_port

ROOT = Path(__file__).resolve().parent.parent
WAIT = 30  # seconds an instance may take to answer


def hello(environ: dict[str, object], start_response: object) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])  # type: ignore[operator]
    return [str(os.getpid()).encode()]


@contextmanager
def instance(
    home: Path, socket: Path | None = None, *options: str, metrics_dir: bool = True
) -> Iterator[int]:
    port = free_port()
    unset = {"XDG_RUNTIME_DIR", "PROMETHEUS_MULTIPROC_DIR"}
    env = {k: v for k, v in os.environ.items() if k not in unset} | {"HOME": str(home)}
    if metrics_dir:
        env["PROMETHEUS_MULTIPROC_DIR"] = str(home / f"metrics-{port}")
        (home / f"metrics-{port}").mkdir()
    if socket:
        env["GUNICORN_CONTROL_SOCKET"] = str(socket)
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "python:klustera.observability.gunicorn",
         "--bind", f"127.0.0.1:{port}", "--workers", "1", *options, "tests.test_gunicorn:hello"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + WAIT
        while True:
            assert process.poll() is None, process.stderr.read()  # type: ignore[union-attr]
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).close()
                break
            except OSError:
                assert time.monotonic() < deadline, f"gunicorn did not answer on {port}"
                time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        process.wait(WAIT)


def test_two_instances_open_no_shared_control_socket(tmp_path: Path) -> None:
    with ExitStack() as running:
        for _ in range(2):
            running.enter_context(instance(tmp_path))
        assert not (tmp_path / ".gunicorn").exists()


def test_an_instance_given_a_control_socket_has_its_own(tmp_path: Path) -> None:
    sockets = [tmp_path / "a.ctl", tmp_path / "b.ctl"]
    with ExitStack() as running:
        for socket in sockets:
            running.enter_context(instance(tmp_path, socket))
        deadline = time.monotonic() + WAIT
        while not all(socket.exists() for socket in sockets):
            assert time.monotonic() < deadline, [s.exists() for s in sockets]
            time.sleep(0.05)
        assert not (tmp_path / ".gunicorn").exists()


def test_workers_replaced_after_max_requests_leave_the_instance_serving(tmp_path: Path) -> None:
    """As deployed (Dockerfile, compose, the stack), nothing sets PROMETHEUS_MULTIPROC_DIR for
    the master: it must still survive its workers' exits."""
    with instance(tmp_path, None, "--max-requests", "1", metrics_dir=False) as port:
        pids = set()
        for _ in range(3):
            deadline = time.monotonic() + WAIT
            while True:  # the next worker may still be booting
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as answer:
                        pids.add(answer.read())
                    break
                except OSError:
                    assert time.monotonic() < deadline, "the instance stopped answering"
                    time.sleep(0.05)
        assert len(pids) == 3  # each request served by a new worker, by the same master
