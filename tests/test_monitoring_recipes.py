"""The monitoring recipes: the scheduled GitHub Actions job (examples/ci, also checked by
actionlint in .ci/run), the systemd units and the cron line (examples/monitoring) and the
Prometheus alerting rules. Their `node-pulumi check` commands are parsed by the command's own
parser, the Actions step's script is run with bash against the sandbox, and every metric the
rules name is one the check writes."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from node_pulumi._cli._args import parse
from node_pulumi.sandbox import Sandbox
from node_pulumi.sandbox._store import format_time

from .clock import StillClock
from .conftest import API_KEY, USER_ID
from .test_ci_recipes import CI, MONITORING, load, pulumi_commands

EXAMPLES = CI.parent / "monitoring"
BIN = str(Path(sys.executable).parent)


def check_lines(text: str) -> list[list[str]]:
    """The `node-pulumi check` command lines in a text, as argv after the program."""
    found = []
    for line in text.splitlines():
        if line.lstrip().startswith("#"):
            continue
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        words = list(lexer)
        for i, word in enumerate(words):
            if word.endswith("node-pulumi") and words[i + 1 : i + 2] == ["check"]:
                argv = words[i + 1 :]
                ends = [j for j, w in enumerate(argv) if set(w) <= set("();<>|&")]
                found.append(argv[: ends[0]] if ends else argv)
    return found


# The recipes' command reads the machine's clock: the sandbox's stands still at the real time.
pytestmark = [pytest.mark.wall_clock, pytest.mark.sandbox(servers=("1", "2"))]


@pytest.fixture(autouse=True)
def snapshots(sandbox: Sandbox, clock: StillClock) -> None:
    """Server 1's newest snapshot is 2 hours old, server 2's 30 hours."""
    for server, hours in (("1", 2), ("2", 30)):
        sandbox.add_snapshot(
            f"snap-{server}",
            server,
            created_at=format_time(clock.now - hours * 3600),
            size_gb=1,
        )


@pytest.mark.parametrize("name", MONITORING)
def test_a_scheduled_check_with_the_credentials_from_secrets(name: str) -> None:
    workflow = load(name)
    assert set(workflow[True]) <= {"schedule", "workflow_dispatch"}  # never a pull request
    assert workflow["permissions"] == {"contents": "read"}
    (job,) = workflow["jobs"].values()
    steps = job["steps"]
    (check,) = [s for s in steps if pulumi_commands(s, "node-pulumi")]
    setup = steps[: steps.index(check)]
    assert any("pip install -r requirements.txt" in s.get("run", "") for s in setup)
    assert check["env"]["NODE_USER_ID"] == "${{ secrets.NODE_USER_ID }}"
    assert check["env"]["NODE_API_KEY"] == "${{ secrets.NODE_API_KEY }}"
    assert "NODE_CLIENT_IP_ADDRESS" in check["env"]
    assert "${{" not in check["run"]
    for argv in check_lines(check["run"]):
        args = parse(argv)
        assert args.all and args.max_age == 26 * 3600


@pytest.mark.parametrize("name", MONITORING)
def test_the_check_step_fails_the_job_with_the_checks_status_and_fills_the_summary(
    name: str, sandbox: Sandbox, tmp_path: Path
) -> None:
    (job,) = load(name)["jobs"].values()
    (check,) = [s for s in job["steps"] if pulumi_commands(s, "node-pulumi")]
    summary = tmp_path / "summary.md"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NODE_", "PULUMI_"))} | {
        "PATH": f"{BIN}:{os.environ['PATH']}",
        "NODE_USER_ID": USER_ID,
        "NODE_API_KEY": API_KEY,
        "NODE_ENDPOINT": sandbox.url,
        "NODE_CLIENT_IP_ADDRESS": "203.0.113.7",
        "NODE_API_TIMEZONE": "",  # an unset repository variable arrives empty
        "GITHUB_STEP_SUMMARY": str(summary),
    }
    done = subprocess.run(
        ["bash", "-e", "-c", check["run"]],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stderr  # server 2's newest is 30 h old
    assert done.stdout.startswith("NODE-PULUMI CHECK CRITICAL - 2 servers: 1 ok, 1 critical")
    lines = summary.read_text().splitlines()
    assert lines[0] == lines[-1] == "```" and lines[1] == done.stdout.splitlines()[0]


def test_the_systemd_unit_and_the_cron_line_write_the_textfile() -> None:
    service = (EXAMPLES / "node-pulumi-check.service").read_text()
    (exec_start,) = [line for line in service.splitlines() if line.startswith("ExecStart=")]
    (cron,) = [
        line for line in (EXAMPLES / "crontab").read_text().splitlines() if line and line[0] != "#"
    ]
    commands = check_lines(exec_start.removeprefix("ExecStart=")) + check_lines(cron)
    assert len(commands) == 2 and commands[0] == commands[1]
    args = parse(commands[0])
    assert args.all and args.quiet and args.prometheus.endswith(".prom")
    assert re.search(r"^SuccessExitStatus=1 2$", service, re.MULTILINE)
    timer = (EXAMPLES / "node-pulumi-check.timer").read_text()
    assert "OnCalendar=*:0/15" in timer and "*/15 * * * *" in cron


def test_the_alert_rules_name_only_metrics_the_check_writes(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    prom = tmp_path / "node.prom"
    env = {k: v for k, v in os.environ.items() if not k.startswith("NODE_")} | {
        "NODE_USER_ID": USER_ID,
        "NODE_API_KEY": API_KEY,
        "NODE_ENDPOINT": sandbox.url,
        "NODE_CLIENT_IP_ADDRESS": "203.0.113.7",
    }
    subprocess.run(
        [f"{BIN}/node-pulumi", "check", "--all", "--quiet", "--prometheus", str(prom)],
        env=env,
        timeout=60,
        check=False,
    )
    written = {f.name for f in text_string_to_metric_families(prom.read_text())}
    rules: dict[str, Any] = yaml.safe_load((EXAMPLES / "alerts.yml").read_text())
    expressions = [rule["expr"] for group in rules["groups"] for rule in group["rules"]]
    named = {name for expr in expressions for name in re.findall(r"node_pulumi_\w+", expr)}
    assert named and named <= written, named - written
