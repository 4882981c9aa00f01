"""``node-pulumi doctor``: the setup checks (`node_pulumi._core.doctor`) as a table or JSON.

This module only renders: the checks and their findings are the core's, so the table and
``--json`` are two renderings of one `Diagnosis`. The exit status is the first failing check's
error's, by the command's table (`_status`): 0 when no check fails (warnings included).
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from .._api.errors import NodeError
from .._core.doctor import Check, Diagnosis, diagnose
from . import _status
from ._stack import stack_config

EXIT_STATUSES = f"""exit statuses:
  {_status.OK}    no check failed (warnings included)
  {_status.FAILED}    a check failed: the endpoint, TLS, the network, the client IP address, a
       server (its line says how to fix it)
  {_status.USAGE}    a setting is missing or invalid, or the stack cannot be read
  {_status.CREDENTIALS}    the API refused the credentials, or a proxy/firewall refused access
       (HTTP 401/403)
The first failing line decides the status."""


def run(args: argparse.Namespace) -> int:
    """Run the checks and print them; return the exit status (see `EXIT_STATUSES`)."""
    config = stack_config(args.stack, args.cwd) if args.stack is not None else None
    diagnosis = diagnose(config, args.server_id or ())
    status = exit_status(diagnosis)
    if args.json:
        print(json.dumps(as_json(diagnosis, status), indent=2))
    else:
        print(table(diagnosis), end="")
    return status


def exit_status(diagnosis: Diagnosis) -> int:
    """The first failing check's error's status (`node_pulumi._cli.exit_status`); OK without."""
    from . import exit_status as status_of  # the command's one table; imported late (a cycle)

    failed = diagnosis.first_failure
    if failed is None:
        return _status.OK
    return status_of(failed.error) if isinstance(failed.error, NodeError) else _status.FAILED


def table(diagnosis: Diagnosis) -> str:
    """One line per check: status, name, what it found, and the fix for a warning or failure."""
    width = max(len(c.name) for c in diagnosis.checks)
    return "".join(_line(check, width) for check in diagnosis.checks)


def _line(check: Check, width: int) -> str:
    fix = f" -> fix: {check.fix}" if check.fix and check.status != "ok" else ""
    return f"{check.status:<4}  {check.name:<{width}}  {check.found}{fix}\n"


def as_json(diagnosis: Diagnosis, status: int) -> dict[str, Any]:
    """The diagnosis as JSON data: every check's fields but its error object."""
    return {
        "status": diagnosis.status,
        "exit_status": status,
        "checks": [
            {
                "name": c.name,
                "status": c.status,
                "found": c.found,
                "fix": c.fix or None,
                "facts": dict(c.facts),
            }
            for c in diagnosis.checks
        ],
    }
