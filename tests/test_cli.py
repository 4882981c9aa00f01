"""The ``node-pulumi`` command, run as its installed console script against the sandbox on
loopback: exit statuses, messages, the confirmation (refused without a terminal, typed on a
pseudo-terminal), progress, and no credential in anything it prints.

The sandbox's clock stands still; a restore's server turns ``on`` when the test moves the clock,
which it does once the sandbox's call log shows the command polling (`Sandbox.wait_for_calls`).
"""

from __future__ import annotations

import json
import os
import pty
import re
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from node_pulumi import NodeClient
from node_pulumi._cli._args import build_parser
from node_pulumi._cli._progress import counted
from node_pulumi._cli._status import INTERRUPTED
from node_pulumi.sandbox import Sandbox

from .child import interruptible
from .clock import StillClock
from .conftest import API_KEY, CLIENT_IP, USER_ID

COMMAND = str(Path(sys.executable).parent / "node-pulumi")
SERVER = "12345"
IP = CLIENT_IP
PROCESSING_SECONDS = 60.0
REINSTALL_SECONDS = 600.0
EXIT_TIMEOUT = 60  # seconds a command may take before the test gives up on it
pytestmark = pytest.mark.sandbox(
    processing_seconds=PROCESSING_SECONDS, reinstall_seconds=REINSTALL_SECONDS
)


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[NodeClient]:
    with NodeClient(USER_ID, API_KEY, endpoint=sandbox.url) as made:
        yield made


def active(client: NodeClient, clock: StillClock, server_id: str = SERVER) -> str:
    snapshot_id = str(client.create_snapshot(server_id)["snapshot_id"])
    clock.now += PROCESSING_SECONDS
    return snapshot_id


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run the command to its end, without a terminal (stdin from /dev/null)."""
    return subprocess.run(
        [COMMAND, *args],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=EXIT_TIMEOUT,
        check=False,
    )


def start(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    """The command in the background, with SIGINT at its default for the test's Ctrl-C."""
    return subprocess.Popen(
        interruptible([COMMAND, *args]),
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def reinstall_after_polls(sandbox: Sandbox, clock: StillClock, polls: int) -> None:
    """Move the clock past the reinstall once the command has polled ``polls`` times (after
    its one check of the server)."""
    calls = sandbox.wait_for_calls("get_server_detail", 1 + polls, timeout=EXIT_TIMEOUT)
    assert len(calls) >= 1 + polls, "the command did not poll"
    clock.now += REINSTALL_SECONDS


def no_credential(sandbox: Sandbox, *texts: str) -> None:
    """None of ``texts`` holds the API key, a root password, or a checksum."""
    passwords = [sandbox.root_password(s) for s in (SERVER, "67890")]
    for text in texts:
        assert API_KEY not in text
        assert not any(password in text for password in passwords)
        assert not re.search(r"\b[0-9a-f]{40}\b", text), "a SHA-1 checksum"


def statuses(stderr: str) -> list[str]:
    return re.findall(r"server 12345: (\w+) \(poll \d+, \d+s\)", stderr)


def test_restore_by_id_waits_until_on_and_exits_0(
    sandbox: Sandbox, clock: StillClock, client: NodeClient, env: dict[str, str]
) -> None:
    snapshot_id = active(client, clock)
    process = start(env, "restore", SERVER, snapshot_id, "--yes", "--poll-interval", "0.05")
    reinstall_after_polls(sandbox, clock, 2)
    out, err = process.communicate(timeout=EXIT_TIMEOUT)
    assert process.returncode == 0, err
    assert [r["snapshot_id"] for r in sandbox.reinstalls(SERVER)] == [snapshot_id]
    seen = statuses(err)
    assert seen[-1] == "on" and len(seen) >= 3 and set(seen[:-1]) == {"reinstall"}
    assert re.fullmatch(
        rf"server 12345 is on: restored from snapshot {snapshot_id} \(taken 2023-11-14 "
        r"22:13:20\) in \d+s, \d+ status polls?\n",
        out,
    )
    lines = err.splitlines()
    assert all(re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ ", line) for line in lines), err
    assert "everything written to server 12345 since 2023-11-14 22:13:20 is lost" in err
    assert "confirmed by --yes" in err
    no_credential(sandbox, out, err)


def test_restore_latest_takes_the_newest_active_snapshot(
    sandbox: Sandbox, clock: StillClock, client: NodeClient, env: dict[str, str]
) -> None:
    active(client, clock)
    newest = active(client, clock)
    client.create_snapshot(SERVER)  # newer, processing
    process = start(env, "restore", SERVER, "--latest", "--yes", "--poll-interval", "0.05")
    reinstall_after_polls(sandbox, clock, 1)
    out, err = process.communicate(timeout=EXIT_TIMEOUT)
    assert process.returncode == 0, err
    assert f"snapshot {newest}: the newest active one of server 12345" in err
    assert [r["snapshot_id"] for r in sandbox.reinstalls(SERVER)] == [newest]
    no_credential(sandbox, out, err)


@pytest.mark.parametrize(
    ("state", "words"),
    [
        ("processing", "is 'processing', not 'active'"),
        ("missing", "snapshot nosuchsnapshot does not exist"),
        ("other", "pass --allow-other-server"),
    ],
)
def test_a_snapshot_that_cannot_be_restored_exits_3_without_a_reinstall(
    sandbox: Sandbox,
    clock: StillClock,
    client: NodeClient,
    env: dict[str, str],
    state: str,
    words: str,
) -> None:
    if state == "processing":
        snapshot_id = str(client.create_snapshot(SERVER)["snapshot_id"])
    elif state == "other":
        snapshot_id = active(client, clock, server_id="67890")
    else:
        snapshot_id = "nosuchsnapshot"
    result = run(env, "restore", SERVER, snapshot_id, "--yes")
    assert result.returncode == 3, result.stderr
    assert "node-pulumi: restore refused, nothing changed:" in result.stderr
    assert words.replace("pass ", "") in result.stderr
    assert result.stdout == ""
    assert sandbox.calls("reinstall_server") == []
    no_credential(sandbox, result.stdout, result.stderr)


def test_a_snapshot_of_another_server_is_restored_with_the_flag_and_a_warning(
    sandbox: Sandbox, clock: StillClock, client: NodeClient, env: dict[str, str]
) -> None:
    snapshot_id = active(client, clock, server_id="67890")
    process = start(
        env, "restore", SERVER, snapshot_id, "--yes", "--allow-other-server",
        "--poll-interval", "0.05",
    )  # fmt: skip
    reinstall_after_polls(sandbox, clock, 1)
    _, err = process.communicate(timeout=EXIT_TIMEOUT)
    assert process.returncode == 0, err
    assert f"warning: snapshot {snapshot_id} was taken of server 67890, not of server 12345" in err
    assert [r["snapshot_id"] for r in sandbox.reinstalls(SERVER)] == [snapshot_id]


def test_bad_credentials_exit_4_naming_the_settings_and_no_reinstall(
    sandbox: Sandbox, clock: StillClock, client: NodeClient, env: dict[str, str]
) -> None:
    snapshot_id = active(client, clock)
    wrong = "wrong-" + API_KEY[::-1]
    result = run(env | {"NODE_API_KEY": wrong}, "restore", SERVER, snapshot_id, "--yes")
    assert result.returncode == 4, result.stderr
    assert "INVALID_CHECKSUM" in result.stderr
    assert "NODE_API_KEY" in result.stderr and "NODE_USER_ID" in result.stderr
    assert wrong not in result.stderr + result.stdout
    assert sandbox.calls("reinstall_server") == []
    no_credential(sandbox, result.stdout, result.stderr)


def test_a_server_not_on_by_the_timeout_exits_5_saying_what_to_check(
    sandbox: Sandbox, clock: StillClock, client: NodeClient, env: dict[str, str]
) -> None:
    snapshot_id = active(client, clock)
    result = run(
        env, "restore", SERVER, snapshot_id, "--yes", "--timeout", "0.3", "--poll-interval", "0.05"
    )
    assert result.returncode == 5, result.stderr
    assert "server 12345 is still 'reinstall' 0.3s after its restore" in result.stderr
    assert "node.co.id panel" in result.stderr
    assert len(sandbox.calls("reinstall_server")) == 1
    no_credential(sandbox, result.stdout, result.stderr)


def test_a_lost_reinstall_answer_exits_7(
    sandbox: Sandbox, clock: StillClock, client: NodeClient, env: dict[str, str]
) -> None:
    snapshot_id = active(client, clock)
    sandbox.set_fault("reinstall_server", http_status=503)
    result = run(env, "restore", SERVER, snapshot_id, "--yes")
    assert result.returncode == 7, result.stderr
    assert "may or may not have started" in result.stderr
    assert len(sandbox.calls("reinstall_server")) == 1, "never repeated"


def test_without_a_terminal_and_without_yes_it_refuses_before_any_call(
    sandbox: Sandbox, clock: StillClock, client: NodeClient, env: dict[str, str]
) -> None:
    snapshot_id = active(client, clock)
    sandbox.clear_calls()
    result = run(env, "restore", SERVER, snapshot_id)
    assert result.returncode == 6
    assert "no terminal to ask on; pass --yes" in result.stderr
    assert sandbox.calls() == []


def test_interrupting_the_wait_exits_130_saying_the_reinstall_goes_on(
    sandbox: Sandbox, clock: StillClock, client: NodeClient, env: dict[str, str]
) -> None:
    snapshot_id = active(client, clock)
    process = start(env, "restore", SERVER, snapshot_id, "--yes", "--poll-interval", "0.05")
    assert len(sandbox.wait_for_calls("get_server_detail", 2, timeout=EXIT_TIMEOUT)) >= 2
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=EXIT_TIMEOUT)
    assert process.returncode == 130, err
    assert "restore cancelled; the reinstall of server 12345" in err
    assert "goes on at the API (last seen 'reinstall')" in err


def test_missing_credentials_and_bad_arguments_exit_2(env: dict[str, str]) -> None:
    missing = run({k: v for k, v in env.items() if k != "NODE_API_KEY"}, "restore", SERVER, "s")
    assert missing.returncode == 6, "no terminal is checked first"
    missing = run(
        {k: v for k, v in env.items() if k != "NODE_API_KEY"}, "restore", SERVER, "s", "--yes"
    )
    assert missing.returncode == 2
    assert missing.stderr == (
        "node-pulumi: node.co.id credentials are missing: set environment variable NODE_API_KEY "
        "(for example: `export NODE_API_KEY=<api key>`); or take them from a stack's "
        "configuration with --stack NAME\n"
    )
    for args in (
        ["restore", SERVER],
        ["restore", SERVER, "snap", "--latest"],
        ["restore", SERVER, "--from-output", "snapshot_id"],
        ["restore", SERVER, "snap", "--timeout", "0"],
        ["snapshots", "--cwd", "."],
    ):
        result = run(env, *args)
        assert result.returncode == 2, args
        assert result.stderr.startswith("usage: node-pulumi"), args


def test_snapshots_as_a_table_and_as_json(
    sandbox: Sandbox, clock: StillClock, client: NodeClient, env: dict[str, str]
) -> None:
    first = active(client, clock)
    second = active(client, clock, server_id="67890")
    deleted = active(client, clock)
    client.delete_snapshot(deleted)
    table = run(env, "snapshots")
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["ID", "SERVER", "CYCLE", "STATUS", "SIZE", "ADDED"]
    assert [line.split()[0] for line in lines[1:]] == [second, first], "newest first"
    assert re.fullmatch(
        rf"{first}  12345   manual  active  \d+(\.\d)? GB +2023-11-14 22:13:20", lines[2]
    )
    listed = run(env, "snapshots", "--server-id", SERVER, "--status", "all", "--json")
    records = json.loads(listed.stdout)
    assert [(r["snapshot_id"], r["snapshot_status"]) for r in records] == [
        (deleted, "deleted"),
        (first, "active"),
    ]
    assert "snapshot_url" not in listed.stdout and "sandbox.invalid" not in listed.stdout
    no_credential(sandbox, table.stdout, table.stderr, listed.stdout, listed.stderr)


def test_snapshots_need_a_client_ip_address(env: dict[str, str]) -> None:
    result = run({k: v for k, v in env.items() if k != "NODE_CLIENT_IP_ADDRESS"}, "snapshots")
    assert result.returncode == 2 and "NODE_CLIENT_IP_ADDRESS" in result.stderr


# --- the confirmation on a terminal -------------------------------------------------------------


class Terminal:
    """The command on a pseudo-terminal (its stdin and stderr), stdout on a pipe."""

    def __init__(self, env: dict[str, str], *args: str) -> None:
        self.master, slave = pty.openpty()
        self.process = subprocess.Popen(
            [COMMAND, *args], env=env, stdin=slave, stdout=subprocess.PIPE, stderr=slave
        )
        os.close(slave)
        self.seen = b""

    def read_until(self, text: bytes) -> None:
        """Read the terminal until ``text`` has appeared (or the command has ended)."""
        deadline = time.monotonic() + EXIT_TIMEOUT
        while text not in self.seen and time.monotonic() < deadline:
            ready, _, _ = select.select([self.master], [], [], deadline - time.monotonic())
            if not ready:
                break
            try:
                chunk = os.read(self.master, 4096)
            except OSError:  # EIO: the command closed the terminal
                break
            if not chunk:
                break
            self.seen += chunk

    def type(self, line: str) -> None:
        os.write(self.master, line.encode() + b"\n")

    def finish(self) -> tuple[int, str, str]:
        """Wait for the end; return the exit status, what the terminal showed, and stdout."""
        assert self.process.stdout is not None
        out = self.process.stdout.read().decode()
        self.read_until(b"\x00never")
        status = self.process.wait(timeout=EXIT_TIMEOUT)
        os.close(self.master)
        return status, self.seen.decode(errors="replace"), out


def test_on_a_terminal_a_wrong_answer_restores_nothing(
    sandbox: Sandbox, clock: StillClock, client: NodeClient, env: dict[str, str]
) -> None:
    snapshot_id = active(client, clock)
    terminal = Terminal(env, "restore", SERVER, snapshot_id)
    terminal.read_until(b"Type the server id (12345) to restore it")
    terminal.type("1234")
    status, shown, out = terminal.finish()
    assert status == 6, shown
    assert out == ""
    assert "not confirmed: server 12345 was not restored" in shown
    assert sandbox.calls("reinstall_server") == []


def test_on_a_terminal_typing_the_server_id_restores_with_a_live_line(
    sandbox: Sandbox, clock: StillClock, client: NodeClient, env: dict[str, str]
) -> None:
    snapshot_id = active(client, clock)
    terminal = Terminal(env, "restore", SERVER, snapshot_id, "--poll-interval", "0.05")
    terminal.read_until(b"to restore it, anything else stops: ")
    terminal.type(SERVER)
    reinstall_after_polls(sandbox, clock, 1)
    status, shown, out = terminal.finish()
    assert status == 0, shown
    assert "everything written to server 12345 since 2023-11-14 22:13:20 is lost" in shown
    assert "\r\x1b[Kserver 12345: reinstall (" in shown, "the live line, redrawn in place"
    assert "\r\x1b[Kserver 12345: on (" in shown
    assert not re.search(r"^\d{4}-\d\d-\d\dT", shown, re.MULTILINE), "no timestamps on a tty"
    assert out.startswith("server 12345 is on: restored from snapshot")
    assert [r["snapshot_id"] for r in sandbox.reinstalls(SERVER)] == [snapshot_id]
    no_credential(sandbox, shown, out)


@pytest.mark.parametrize("command", ["restore", "snapshots"])
def test_each_command_s_help_explains_every_option_and_lists_the_exit_statuses(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    parser, commands = build_parser()
    for action in commands[command]._actions:
        assert action.help, f"{command} {action.option_strings or action.dest} has no help"
    with pytest.raises(SystemExit):
        parser.parse_args([command, "--help"])
    out = capsys.readouterr().out
    assert "exit statuses:" in out
    assert f"  {INTERRUPTED}  interrupted" in out


def test_counts_are_said_with_their_noun_singular_or_plural() -> None:
    assert [counted(n, "status poll") for n in (0, 1, 2)] == [
        "0 status polls",
        "1 status poll",
        "2 status polls",
    ]


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def test_started_with_sigint_ignored_it_keeps_ignoring_it_and_sigterm_stops_it(
    sandbox: Sandbox, clock: StillClock, client: NodeClient, env: dict[str, str]
) -> None:
    """The disposition its parent gave it stays (a `&` job of a script, `trap '' INT`); SIGTERM
    stops the wait as Ctrl-C would."""
    snapshot_id = active(client, clock)
    process = subprocess.Popen(
        [COMMAND, "restore", SERVER, snapshot_id, "--yes", "--poll-interval", "0.05"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_ignore_sigint,  # the child's own disposition, set before exec
    )
    assert len(sandbox.wait_for_calls("get_server_detail", 2, timeout=EXIT_TIMEOUT)) >= 2
    process.send_signal(signal.SIGINT)
    polls = len(sandbox.calls("get_server_detail"))
    more = sandbox.wait_for_calls("get_server_detail", polls + 2, timeout=EXIT_TIMEOUT)
    assert len(more) >= polls + 2, "it stopped polling on SIGINT"
    assert process.poll() is None
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=EXIT_TIMEOUT)
    assert process.returncode == 130, err
    assert "restore cancelled; the reinstall of server 12345" in err
