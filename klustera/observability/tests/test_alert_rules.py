"""The alert rules and the Alertmanager routes, checked by Prometheus' own tools: the rules'
unit tests pass, and fail when a threshold is moved; each severity reaches its receivers."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import installed

DEPLOY = Path(__file__).resolve().parents[3] / "deploy"
TESTS = ("alerts.test.yml", "digest.test.yml")  # minute by minute; the digest's hour by hour


def _tool(name: str) -> str:
    return installed(name, "prometheus prometheus-alertmanager")


def _run(*command: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=cwd)


def test_the_rules_unit_tests_pass() -> None:
    promtool = _tool("promtool")
    checked = _run(promtool, "check", "rules", str(DEPLOY / "prometheus" / "alerts.yml"))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "13 rules found" in checked.stdout
    tested = _run(promtool, "test", "rules", *TESTS, cwd=DEPLOY / "prometheus")
    assert tested.returncode == 0, tested.stdout + tested.stderr


@pytest.mark.parametrize(
    ("threshold", "moved"),
    [
        ("for: 5m\n        labels:\n          severity: critical\n        annotations:\n"
         '          summary: "Klustera does not', "for: 9m\n        labels:\n          severity: "
         'critical\n        annotations:\n          summary: "Klustera does not'),
        ("> 0.05", "> 0.15"),
        ("> 0.10", "> 0.60"),
        ('database_up{job="klustera"}) == 0', 'database_up{job="klustera"}) == 2'),
        ("          > 2\n", "          > 5\n"),
        ("> 1000", "> 2000"),
        ("> 300", "> 3000"),
        ("> 80", "> 95"),
        ('status="active"}[1d]) > 0', 'status="active"}[1d]) > 5'),
        ('status="cancelled"}[1d]) > 0', 'status="cancelled"}[1d]) > 5'),
        ("[7d]) != 0", "[7d]) > 1000000"),
        ("> 26 * 3600", "> 30 * 3600"),
        ('drill_ok{job="klustera"}) == 0', 'drill_ok{job="klustera"}) == 2'),
    ],
)  # fmt: skip
def test_the_rules_unit_tests_fail_when_a_threshold_moves(tmp_path, threshold, moved) -> None:
    promtool = _tool("promtool")
    rules = (DEPLOY / "prometheus" / "alerts.yml").read_text()
    assert rules.count(threshold) == 1, threshold
    (tmp_path / "alerts.yml").write_text(rules.replace(threshold, moved))
    for name in TESTS:
        shutil.copy(DEPLOY / "prometheus" / name, tmp_path)
    tested = _run(promtool, "test", "rules", *TESTS, cwd=tmp_path)
    assert tested.returncode != 0, f"no test noticed {threshold!r} become {moved!r}"


def test_the_scrape_config_is_valid_with_its_token_file(tmp_path) -> None:
    promtool = _tool("promtool")
    for name in ("prometheus.yml", "alerts.yml"):
        shutil.copy(DEPLOY / "prometheus" / name, tmp_path)
    (tmp_path / "klustera_metrics_token").write_text("a-long-random-token\n")
    checked = _run(promtool, "check", "config", str(tmp_path / "prometheus.yml"))
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_each_severity_reaches_its_receivers() -> None:
    amtool = _tool("amtool")
    config = str(DEPLOY / "alertmanager" / "alertmanager.yml")
    checked = _run(amtool, "check-config", config)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    routes = {
        severity: _run(
            amtool, "config", "routes", "test", f"--config.file={config}", f"severity={severity}"
        ).stdout.strip()
        for severity in ("critical", "warning", "info")
    }
    assert routes == {"critical": "on-call", "warning": "operators-email", "info": "daily-digest"}
    text = Path(config).read_text()
    on_call = text[text.index("- name: on-call") : text.index("- name: operators-email")]
    assert "slack_configs" in on_call and "webhook_configs" in on_call  # Slack, SMS
    assert "email_configs" in on_call
    assert "group_interval: 15m" in text  # warnings: an email within 15 minutes
