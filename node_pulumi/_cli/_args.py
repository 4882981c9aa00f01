"""The command line of ``node-pulumi``: its subcommands and their options."""

from __future__ import annotations

import argparse
import math
import sys
from typing import NoReturn

from .. import __version__
from .._core.doctor import LATENCY_CALLS
from .._core.inputs import LIST_CYCLES, LIST_STATUSES
from .._core.restore import DEFAULT_RESTORE_TIMEOUT
from .._core.waiting import POLL_INTERVAL
from . import _check
from ._doctor import EXIT_STATUSES as DOCTOR_EXIT_STATUSES
from ._status import TABLE

DESCRIPTION = """\
Operations on node.co.id servers beside your Pulumi stacks: restore a server from a snapshot,
list snapshots, check the setup, check that every server has a recent snapshot (monitoring).

Credentials and endpoint come from the same NODE_* environment variables as the providers
(NODE_USER_ID, NODE_API_KEY, NODE_ENDPOINT, NODE_SANDBOX, NODE_FORMAT, NODE_TIMEOUT,
NODE_CLIENT_IP_ADDRESS); with --stack, from that stack's configuration first (node:userId,
node:apiKey, ...), read through the pulumi CLI."""


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 < value < math.inf:
        raise argparse.ArgumentTypeError(f"a positive number of seconds, not {text!r}")
    return value


class CommandParser(argparse.ArgumentParser):
    """A subcommand's parser: a usage error exits with its ``usage_status`` (argparse's 2, or
    ``check``'s 3: UNKNOWN, as monitoring plugins do)."""

    usage_status = 2

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(self.usage_status, f"{self.prog}: error: {message}\n")


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, CommandParser]]:
    """The parser and each subcommand's; `parse` adds the checks between options."""
    parser = argparse.ArgumentParser(
        prog="node-pulumi",
        description=DESCRIPTION,
        epilog=TABLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"node-pulumi {__version__}")
    stack = CommandParser(add_help=False)
    stack.add_argument(
        "--stack",
        metavar="NAME",
        help="take the settings from this Pulumi stack's configuration (through `pulumi "
        "config`), then from the environment",
    )
    stack.add_argument(
        "--cwd", metavar="DIR", help="the Pulumi project's directory, for --stack (default: .)"
    )
    commands = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=CommandParser
    )

    restore = commands.add_parser(
        "restore",
        parents=[stack],
        help="reinstall a server from a snapshot and wait until it is on again",
        description="Reinstall SERVER_ID from a snapshot (SNAPSHOT_ID, --latest or\n"
        "--from-output) and wait until it is on again. Everything written to the server\n"
        "since the snapshot was taken is lost. Asks you to type the server id first; --yes\n"
        "skips that, and without a terminal --yes is required.",
        epilog=TABLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    restore.add_argument("server_id", metavar="SERVER_ID", help="the server to reinstall")
    restore.add_argument(
        "snapshot_id",
        metavar="SNAPSHOT_ID",
        nargs="?",
        help="the snapshot to restore it from (or --latest, or --from-output)",
    )
    restore.add_argument(
        "--latest", action="store_true", help="the newest active snapshot of SERVER_ID"
    )
    restore.add_argument(
        "--from-output",
        metavar="NAME",
        help="the snapshot id in the stack output NAME (needs --stack)",
    )
    restore.add_argument(
        "--allow-other-server",
        action="store_true",
        help="allow a snapshot taken of another server (said out loud as a warning)",
    )
    restore.add_argument(
        "-y", "--yes", action="store_true", help="do not ask for confirmation (CI)"
    )
    restore.add_argument(
        "--timeout",
        type=_seconds,
        default=DEFAULT_RESTORE_TIMEOUT,
        metavar="SECONDS",
        help=f"how long to wait for the server to be on (default {DEFAULT_RESTORE_TIMEOUT:g})",
    )
    restore.add_argument(
        "--poll-interval",
        type=_seconds,
        default=POLL_INTERVAL,
        metavar="SECONDS",
        help=f"the first wait between status polls (default {POLL_INTERVAL:g}); later waits "
        "grow with the time waited, up to a minute",
    )

    snapshots = commands.add_parser(
        "snapshots",
        parents=[stack],
        help="list snapshots, to pick one",
        description="List snapshots as a table (id, server, cycle, status, size, added),\n"
        "newest first. The API needs a client IP address for this (NODE_CLIENT_IP_ADDRESS\n"
        "or node:clientIpAddress).",
        epilog=TABLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    snapshots.add_argument("--server-id", metavar="ID", help="only this server's snapshots")
    snapshots.add_argument(
        "--status",
        choices=LIST_STATUSES,
        default="active",
        help="only snapshots in this status, or all (default: active, the ones a restore takes)",
    )
    snapshots.add_argument(
        "--cycle",
        choices=LIST_CYCLES,
        default="all",
        help="only manual snapshots or one schedule cycle's (default: all)",
    )
    snapshots.add_argument(
        "--json", action="store_true", help="a JSON list instead of a table (no download URLs)"
    )

    doctor = commands.add_parser(
        "doctor",
        parents=[stack],
        help="check the setup: settings, endpoint, TLS, credentials, client IP, servers",
        description="Check the setup, read-only (safe in CI): where each setting came from\n"
        "(never the API key's value), the endpoint, TLS and proxy, whether the API accepts\n"
        "the credentials (one page of get_snapshot_list), the client IP address and whether\n"
        "the API wants one, each --server-id (get_server_detail, its newest active\n"
        f"snapshot) and the API's latency (median of {LATENCY_CALLS} calls). One line per\n"
        "check: ok, warn or fail, with how to fix it.",
        epilog=DOCTOR_EXIT_STATUSES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    doctor.add_argument(
        "--server-id",
        metavar="ID",
        action="append",
        help="also check this server (repeatable)",
    )
    doctor.add_argument("--json", action="store_true", help="JSON instead of a table")
    _check.add_parser(commands, [stack])
    return parser, commands.choices


def parse(argv: list[str] | None) -> argparse.Namespace:
    """Parse ``argv``; a usage error exits with status 2, as argparse does (``check``: 3)."""
    parser, subparsers = build_parser()
    args, extra = parser.parse_known_args(argv)
    command = subparsers[args.command]
    if extra:
        command.error(f"unrecognized arguments: {' '.join(extra)}")
    if args.cwd is not None and args.stack is None:
        command.error("--cwd goes with --stack")
    if args.command == "restore":
        sources = [args.snapshot_id is not None, args.latest, args.from_output is not None]
        if sum(sources) != 1:
            command.error("restore needs one of SNAPSHOT_ID, --latest or --from-output NAME")
        if args.from_output is not None and args.stack is None:
            command.error("--from-output reads a stack output: name the stack with --stack")
    return args
