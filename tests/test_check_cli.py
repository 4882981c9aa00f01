"""``node-pulumi check`` run as its console script against the sandbox on loopback: the
monitoring-plugin exit statuses, the table, JSON, the Prometheus file (read back with
prometheus_client's own parser), and no secret in any of them.

The command reads the machine's clock, so the sandbox's clock is set to it once and the ages
tested sit hours away from each threshold; exact edges are tested in the core (test_check.py).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from node_pulumi.sandbox import Sandbox
from node_pulumi.sandbox._store import format_time

from .clock import StillClock
from .conftest import API_KEY, CLIENT_IP

COMMAND = str(Path(sys.executable).parent / "node-pulumi")
IP = CLIENT_IP
HOUR = 3600.0

# The command reads the machine's clock: the sandbox's stands still at the real time.
pytestmark = [pytest.mark.wall_clock, pytest.mark.sandbox(servers=("1", "2", "3"))]
EXIT_TIMEOUT = 60


def taken(
    sandbox: Sandbox, clock: StillClock, snapshot_id: str, hours_ago: float, server: str = "1"
) -> None:
    created = format_time(clock.now - hours_ago * HOUR)
    sandbox.add_snapshot(snapshot_id, server, created_at=created, size_gb=1.5)


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [COMMAND, "check", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=EXIT_TIMEOUT,
        stdin=subprocess.DEVNULL,
        check=False,
    )


@pytest.mark.parametrize(
    ("hours_ago", "status", "word"),
    [(1, 0, "OK"), (22, 1, "WARNING"), (30, 2, "CRITICAL")],
)
def test_exit_statuses_ok_warning_critical(
    sandbox: Sandbox,
    clock: StillClock,
    env: dict[str, str],
    hours_ago: float,
    status: int,
    word: str,
) -> None:
    taken(sandbox, clock, "snap-a", hours_ago)
    done = run(env, "--server-id", "1", "--warn-age", "20h", "--max-age", "26h")
    assert done.returncode == status, done.stderr
    first, header, row = done.stdout.splitlines()
    assert first == f"NODE-PULUMI CHECK {word} - 1 servers: 1 {word.lower()}"
    assert header.split()[:3] == ["SERVER", "LABEL", "SERVER"]
    assert row.split()[0] == "1" and word in row.split()


def test_refused_credentials_are_unknown_and_the_file_says_the_check_failed(
    env: dict[str, str], tmp_path: Path
) -> None:
    prom = tmp_path / "node.prom"
    done = run(env | {"NODE_API_KEY": "wrong"}, "--all", "--prometheus", str(prom))
    assert done.returncode == 3
    assert done.stdout.startswith("NODE-PULUMI CHECK UNKNOWN - node.co.id get_server_list failed")
    metrics = {
        s.name: s.value
        for family in text_string_to_metric_families(prom.read_text())
        for s in family.samples
    }
    assert metrics["node_pulumi_check_success"] == 0
    assert metrics["node_pulumi_check_status"] == 3
    assert abs(metrics["node_pulumi_check_timestamp_seconds"] - time.time()) < 600
    assert not any(name.startswith("node_pulumi_snapshot") for name in metrics)


def test_usage_errors_are_unknown(env: dict[str, str]) -> None:
    assert run(env).returncode == 3  # neither --server-id nor --all
    assert run(env, "--all", "--max-age", "26").returncode == 3  # no unit
    assert run(env, "--all", "--bogus").returncode == 3
    done = run(env, "--all", "--warn-age", "30h", "--max-age", "26h")
    assert done.returncode == 3 and "warning age" in done.stdout


def test_json(sandbox: Sandbox, clock: StillClock, env: dict[str, str]) -> None:
    taken(sandbox, clock, "snap-a", 2)
    taken(sandbox, clock, "snap-b", 26 + 2)
    sandbox.set_server("2", server_status="off")
    sandbox.set_server("3", server_status="deleted", order_status="canceled")
    done = run(env, "--all", "--json", "--min-count", "2")
    assert done.returncode == 2
    report = json.loads(done.stdout)
    assert (report["state"], report["exit_status"], report["error"]) == ("CRITICAL", 2, None)
    assert report["policy"]["max_age_seconds"] == 26 * HOUR
    assert report["policy"]["api_timezone"] == "UTC"
    assert report["counts"] == {"OK": 1, "WARNING": 0, "CRITICAL": 1, "UNKNOWN": 0}
    one, two = report["servers"]
    assert (one["server_id"], one["state"], one["active_snapshots"]) == ("1", "OK", 2)
    assert one["active_size_bytes"] == 3 * 10**9
    assert one["newest"]["snapshot_id"] == "snap-a"
    assert 2 * HOUR <= one["newest"]["age_seconds"] < 2 * HOUR + 600
    assert (two["server_id"], two["server_status"], two["state"]) == ("2", "off", "CRITICAL")
    assert two["reasons"] == ["no active snapshot", "0 active, fewer than 2"]
    assert report["skipped"] == [
        {"server_id": "3", "server_status": "deleted", "order_status": "canceled"}
    ]


def test_the_prometheus_file(
    sandbox: Sandbox, clock: StillClock, env: dict[str, str], tmp_path: Path
) -> None:
    taken(sandbox, clock, "snap-a", 2)
    sandbox.add_snapshot(
        "snap-stuck", "2", created_at=format_time(clock.now - 20 * HOUR), size_gb=1, processing=True
    )
    prom = tmp_path / "node.prom"
    prom.write_text("old contents\n")
    done = run(env, "--all", "--prometheus", str(prom), "--quiet")
    assert done.returncode == 2 and done.stdout == ""
    assert [p.name for p in tmp_path.iterdir()] == ["node.prom"]  # the temporary file renamed
    families = {f.name: f for f in text_string_to_metric_families(prom.read_text())}
    assert {f.type for f in families.values()} == {"gauge"}

    def value(name: str, **labels: str) -> float:
        (sample,) = [s for s in families[name].samples if s.labels == labels]
        return sample.value

    assert value("node_pulumi_check_success") == 1
    assert value("node_pulumi_check_status") == 2
    assert value("node_pulumi_server_check_status", server_id="1") == 0
    assert value("node_pulumi_server_check_status", server_id="2") == 2
    age = value("node_pulumi_snapshot_newest_age_seconds", server_id="1")
    assert 2 * HOUR <= age < 2 * HOUR + 600
    assert value("node_pulumi_snapshot_newest_timestamp_seconds", server_id="1") == pytest.approx(
        clock.now - 2 * HOUR, abs=1
    )
    assert value("node_pulumi_snapshot_newest_size_bytes", server_id="1") == 1.5e9
    assert value("node_pulumi_snapshots", server_id="2", status="processing") == 1
    assert value("node_pulumi_snapshots", server_id="2", status="active") == 0
    assert value("node_pulumi_snapshots_stuck", server_id="2") == 1
    assert (
        value(
            "node_pulumi_server_info",
            server_id="3",
            server_label="server-3",
            server_status="on",
            order_status="active",
        )
        == 1
    )
    assert not [
        s
        for s in families["node_pulumi_snapshot_newest_age_seconds"].samples
        if s.labels["server_id"] == "2"
    ]


def test_the_api_time_zone_setting(
    sandbox: Sandbox, clock: StillClock, env: dict[str, str]
) -> None:
    taken(sandbox, clock, "snap-a", 2)
    assert run(env, "--server-id", "1", "--max-age", "8h").returncode == 0
    wib = env | {"NODE_API_TIMEZONE": "+07:00"}
    assert run(wib, "--server-id", "1", "--max-age", "8h").returncode == 2
    assert run(wib, "--server-id", "1", "--max-age", "8h", "--api-timezone", "UTC").returncode == 0
    done = run(env | {"NODE_API_TIMEZONE": "Mars/Base"}, "--server-id", "1")
    assert done.returncode == 3 and "NODE_API_TIMEZONE" in done.stdout


def test_no_secret_in_any_output(
    sandbox: Sandbox, clock: StillClock, env: dict[str, str], tmp_path: Path
) -> None:
    sandbox.seed(40, 120)
    with_url = [s for s in sandbox.snapshots() if s["snapshot_url"]]
    assert with_url  # the listing does carry download URLs
    passwords = [sandbox.root_password(server) for server in sandbox.servers]
    outputs = []
    for args in (["--all"], ["--all", "--json"]):
        prom = tmp_path / "node.prom"
        done = run(env, *args, "--prometheus", str(prom))
        assert done.returncode in (1, 2)
        outputs += [done.stdout, done.stderr, prom.read_text()]
    text = "\n".join(outputs)
    for secret in [API_KEY, *passwords, "snapshot_url", "sandbox.invalid/snapshots", "password"]:
        assert secret not in text
