"""``node-pulumi check``: does every server have a recent snapshot? For monitoring.

Its options (`add_parser`), and its run: settings as every command takes them, the check in the
core (`run_check`), then a table or JSON on standard output and, with ``--prometheus``, the
metrics file. The exit status is the monitoring-plugin convention (`EXIT_STATUSES`), usage
errors included: a check that cannot run is UNKNOWN (3), never argparse's 2 (CRITICAL).
"""

from __future__ import annotations

import argparse
import math
import os
import re
import sys
import time
from datetime import datetime, timezone
from typing import Any

from .._api.errors import NodeError
from .._core.api_time import CONFIG_KEY, ENV_VAR, resolve_api_timezone
from .._core.check import Policy, Report, run_check
from .._core.settings import resolve_settings
from ._check_output import as_json, table, write_prometheus
from ._stack import stack_config

USAGE_STATUS = 3
EXIT_STATUSES = """exit statuses (the monitoring-plugin convention):
  0  OK        every server checked has a recent snapshot
  1  WARNING   a newest snapshot is --warn-age old or older, or a snapshot time lies in
               the future (the API time zone is probably wrong)
  2  CRITICAL  no active snapshot, the newest --max-age old or older, fewer than
               --min-count, or a snapshot processing longer than --stuck-after
  3  UNKNOWN   the API could not be asked (or a listing was incomplete), bad options or
               settings, a server asked for that the account does not have"""

DESCRIPTION = f"""\
Check that every server has a recent active snapshot: the given servers (--server-id), or
with --all every server of the account except deleted ones and canceled orders (there is
nothing left to back up); servers that are off, suspended or reinstalling are checked, as
their disks still need backups. A few calls whatever the number of servers: the server list
and the snapshot list, 100 a page. The API needs a client IP address to list snapshots
(NODE_CLIENT_IP_ADDRESS or node:clientIpAddress).

The API's times carry no time zone; check reads them as UTC unless --api-timezone,
{ENV_VAR} or the stack config {CONFIG_KEY} says otherwise (UTC, +07:00,
Asia/Jakarta). Read as UTC, WIB times make snapshots look younger, never older, and lie in
the future, which is reported as a WARNING. Durations: 90m, 26h, 7d, 1d12h."""

_DURATION = re.compile(r"(?:(\d+(?:\.\d+)?)([smhdw]))+")
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def duration(text: str) -> float:
    """``90m``, ``26h``, ``7d``, ``1d12h``: seconds; a unit is required."""
    value = text.strip()
    if not _DURATION.fullmatch(value):
        raise argparse.ArgumentTypeError(
            f"a duration with a unit (90m, 26h, 7d, 1d12h), not {text!r}"
        )
    seconds = sum(float(n) * _UNIT[u] for n, u in re.findall(r"(\d+(?:\.\d+)?)([smhdw])", value))
    if not 0 < seconds < math.inf:
        raise argparse.ArgumentTypeError(f"a duration above zero, not {text!r}")
    return seconds


def _count(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"a whole number from 0 up, not {text!r}")
    return int(text)


def add_parser(commands: Any, parents: list[Any]) -> None:
    """Add ``check`` to the command's subparsers."""
    check = commands.add_parser(
        "check",
        parents=parents,
        help="monitoring: does every server have a recent snapshot? (exit 0/1/2/3)",
        description=DESCRIPTION,
        epilog=EXIT_STATUSES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.usage_status = USAGE_STATUS
    which = check.add_mutually_exclusive_group(required=True)
    which.add_argument(
        "--server-id", metavar="ID", action="append", dest="server_ids", help="a server to check"
    )
    which.add_argument(
        "--all", action="store_true", help="every server of the account (not deleted, canceled)"
    )
    check.add_argument(
        "--max-age",
        type=duration,
        default=duration("26h"),
        metavar="DURATION",
        help="CRITICAL when the newest active snapshot is this old (default 26h)",
    )
    check.add_argument(
        "--warn-age",
        type=duration,
        metavar="DURATION",
        help="WARNING when the newest active snapshot is this old (below --max-age)",
    )
    check.add_argument(
        "--min-count",
        type=_count,
        default=1,
        metavar="N",
        help="CRITICAL with fewer active snapshots (default 1)",
    )
    check.add_argument(
        "--stuck-after",
        type=duration,
        default=duration("12h"),
        metavar="DURATION",
        help="CRITICAL when a snapshot is processing longer (default 12h)",
    )
    check.add_argument(
        "--api-timezone",
        metavar="ZONE",
        help=f"the zone the API's times are in (default: {ENV_VAR}, {CONFIG_KEY}, else UTC)",
    )
    output = check.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="a JSON document instead of a table")
    output.add_argument("--quiet", action="store_true", help="print nothing; the exit status")
    check.add_argument(
        "--prometheus",
        metavar="FILE",
        help="also write the metrics to FILE (Prometheus text format, replaced atomically; "
        "name it *.prom in node_exporter's textfile directory)",
    )


def run(args: argparse.Namespace) -> int:
    """Run the check; return its state's exit status. Nothing is raised: a failure is an
    UNKNOWN report, shown and written like any other."""
    report = _report(args)
    if args.prometheus:
        try:
            write_prometheus(report, args.prometheus)
        except OSError as error:
            print(f"node-pulumi: cannot write {args.prometheus}: {error}", file=sys.stderr)
            return USAGE_STATUS
    if args.json:
        sys.stdout.write(as_json(report))
    elif not args.quiet:
        sys.stdout.write(table(report))
    sys.stdout.flush()
    return int(report.state)


def _report(args: argparse.Namespace) -> Report:
    now = time.time()
    every = bool(args.all)
    policy = None
    try:
        config = stack_config(args.stack, args.cwd) if args.stack is not None else None
        zone = resolve_api_timezone(args.api_timezone, config, os.environ)
        policy = Policy(args.max_age, args.warn_age, args.min_count, args.stuck_after, zone)
        settings = resolve_settings(config)
        with settings.client() as client:
            return run_check(
                client,
                policy,
                server_ids=None if every else args.server_ids,
                client_ip_address=settings.client_ip_address,
                clock=time.time,
            )
    except NodeError as error:
        ran_at = datetime.fromtimestamp(now, tz=timezone.utc)
        return Report.failed(str(error), ran_at, policy, every)
