"""The Docker recipe, checked with what this machine has: Docker's daemon cannot run here, so
the image is not built and compose.yaml is not started. Instead compose.yaml is validated by
docker-compose's own `config` (no daemon needed) and held to the topology `make stack` runs
and tests; the nginx site it mounts passes `nginx -t` as it is; and the Dockerfile's steps
that can run here do: its production collectstatic, with its build-only keys."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import REQUIRE_SERVICES
from klustera.tasks import QUEUES
from stack import pgbouncer

ROOT = Path(__file__).resolve().parent.parent
SECRETS = {
    "SECRET_KEY": "k",
    "ENCRYPTION_KEYS": "e",
    "POSTGRES_PASSWORD": "p",
    "REPLICATION_PASSWORD": "r",
}


def _program(name: str, package: str) -> str:
    path = shutil.which(name)
    if path is None:
        message = f"{name} is missing (apt-get install {package})"
        pytest.fail(message) if REQUIRE_SERVICES else pytest.skip(message)
    return str(path)


def _compose() -> dict:  # type: ignore[type-arg]
    done = subprocess.run(
        [_program("docker-compose", "docker-compose"), "-f", str(ROOT / "compose.yaml"), "config"],
        capture_output=True, text=True, timeout=60, check=False,
        env={**os.environ, **SECRETS}, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return dict(yaml.safe_load(done.stdout))


def test_compose_is_valid_and_runs_the_stacks_topology() -> None:
    services = _compose()["services"]
    assert {"nginx", "app-1", "app-2", "release", "redis"} <= set(services)
    assert {"postgres-a", "postgres-b", "postgres-a-replica", "pgbouncer-a", "pgbouncer-b"} <= set(
        services
    )
    # nginx's upstream (127.0.0.1:8001/8002) reaches the apps: one network namespace.
    ports = set()
    for name in ("app-1", "app-2"):
        assert services[name]["network_mode"] == "service:nginx"
        ports.add(services[name]["environment"]["PORT"])
    upstream = (ROOT / "deploy" / "nginx" / "klustera.conf").read_text()
    assert {f"127.0.0.1:{port}" for port in ports} == set(
        re.findall(r"server (127\.0\.0\.1:\d+)", upstream)
    )
    # A worker for every queue, the periodic jobs on one of them only.
    consumed: list[str] = []
    periodic = 0
    for name, service in services.items():
        command = service.get("command") or []
        if name.startswith("worker-"):
            consumed += [command[i + 1] for i, arg in enumerate(command) if arg == "--queue"]
            periodic += "--no-periodic" not in command
    assert sorted(consumed) == sorted(QUEUES) and periodic == 1
    # Everything it mounts from the repository exists (the PgBouncer users are the operator's).
    for service in services.values():
        for volume in service.get("volumes", []):
            source = volume["source"] if isinstance(volume, dict) else volume.split(":")[0]
            if str(source).startswith(str(ROOT)) and not str(source).endswith("userlist.txt"):
                assert Path(source).exists(), source


def test_postgresql_accepts_every_connection_pgbouncer_may_open() -> None:
    """A PgBouncer allowed more server connections than PostgreSQL accepts fails requests with
    "too many clients" once that many complexes are active; a standby refuses to start with
    fewer than its primary's."""
    bound = int(pgbouncer.deployed("max_user_connections"))
    services = _compose()["services"]
    for name in ("postgres-a", "postgres-a-replica", "postgres-b"):
        command = services[name]["command"]
        command = command if isinstance(command, str) else " ".join(command)
        allowed = int(re.search(r"max_connections=(\d+)", command)[1])  # type: ignore[index]
        assert allowed >= bound + 20, name  # room for maintenance and the replica's sender


def test_the_nginx_site_compose_mounts_passes_nginx_t(tmp_path: Path) -> None:
    nginx = _program("nginx", "nginx")
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"pid {tmp_path / 'nginx.pid'};\nerror_log {tmp_path / 'error.log'};\n"
        "events {}\nhttp {\n  include /etc/nginx/mime.types;\n"
        f"  include {ROOT / 'deploy' / 'nginx' / 'klustera.conf'};\n}}\n"
    )
    done = subprocess.run(
        [nginx, "-t", "-c", str(main), "-p", str(tmp_path)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def test_the_dockerfile_is_multi_stage_slim_non_root_with_fonts_and_a_health_check() -> None:
    text = (ROOT / "Dockerfile").read_text()
    stages = re.findall(r"^FROM (\S+)", text, flags=re.MULTILINE)
    assert len(stages) == 2 and all("slim" in image for image in stages)
    final = text.rsplit("\nFROM ", 1)[1]
    assert re.search(r"^USER klustera$", final, flags=re.MULTILINE)
    assert "build-essential" not in final  # compilers stay in the build stage
    for package in ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0", "fonts-dejavu"):
        assert package in final, package
    assert re.search(r"HEALTHCHECK .*\n?.*readyz", final)
    assert "python:klustera.observability.gunicorn" in final
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".git", ".venv", "var", "node_modules"} <= set(ignored)


def test_the_dockerfiles_collectstatic_step_runs_with_its_build_only_keys(tmp_path: Path) -> None:
    step = re.search(
        r"RUN (KLUSTERA_ENV=production .*?collectstatic[^\n]*)",
        (ROOT / "Dockerfile").read_text(),
        flags=re.DOTALL,
    )
    assert step
    assignments = dict(re.findall(r"([A-Z_]+)=(\S+)", step.group(1).split("/opt/klustera/bin")[0]))
    env = {
        **os.environ,
        **assignments,
        "KLUSTERA_VAR_DIR": str(tmp_path / "var"),
        "STATIC_ROOT": str(tmp_path / "static"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "klustera", "collectstatic", "--no-input", "-v", "0"],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "static" / "staticfiles.json").exists()  # production's manifest
