"""``node-pulumi doctor``'s checks: is this machine's setup right for the node.co.id API?

Read-only and safe at any time, in CI too: the only API calls are reads (get_snapshot_list,
get_snapshot_detail, get_server_detail). Each check is a `Check` with a status (``ok``, ``warn``,
``fail``), what it found and how to fix it; the command renders them as a table or as JSON. No
check holds the API key (only where it came from) or a root password (the client drops it while
decoding get_server_detail).

The checks, in order (a check that needs an API answer is left out once the setup cannot reach
the API, so that the first failing line is the one to fix):

* ``setting <key>``: each setting's value (never the key's) and where it came from: stack
  configuration, environment or default.
* ``endpoint``: production, the published sandbox or a custom one (a local sandbox is custom).
* ``tls``: certificate verification (always on), the CA bundle and the proxy ``requests`` uses.
* ``credentials``: one page of get_snapshot_list (10 records, with the client IP address when set):
  the one read every account can answer without naming a server or a snapshot, and it is the
  call that ``get_snapshots`` and ``node-pulumi snapshots`` make.
* ``client ip``: the address that will be sent, and whether the API wants one: get_snapshot_list
  always does; get_snapshot_detail is asked without it (a snapshot just listed, or a made-up id)
  to learn whether it requires it, as the newer published page says.
* ``server <id>``, per ``--server-id``: get_server_detail with these credentials (its status and
  schedule) and the server's newest active snapshot.
* ``latency``: the median time of `LATENCY_CALLS` get_snapshot_list calls (the credentials call
  and more of the same).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .._api.errors import NodeConfigError
from .doctor_api import LATENCY_CALLS, api_checks
from .doctor_checks import SETTINGS, Check, Status, endpoint_check, setting_check, tls_check
from .settings import resolve_settings

__all__ = ["LATENCY_CALLS", "Check", "Diagnosis", "Status", "diagnose"]


@dataclass(frozen=True)
class Diagnosis:
    """Every check, in order."""

    checks: tuple[Check, ...]

    @property
    def first_failure(self) -> Check | None:
        """The first failing check: the one to fix first (its error sets the exit status)."""
        return next((c for c in self.checks if c.status == "fail"), None)

    @property
    def status(self) -> Status:
        """The worst status of any check."""
        statuses = {c.status for c in self.checks}
        return "fail" if "fail" in statuses else "warn" if "warn" in statuses else "ok"


def diagnose(
    config: Mapping[str, Any] | None,
    server_ids: Sequence[str] = (),
    *,
    clock: Callable[[], float] = time.perf_counter,
) -> Diagnosis:
    """Run every check with the stack ``config`` (``"node:userId"``-style keys; None without a
    stack) and this process's environment (as the client reads it: settings, CA bundle, proxy),
    for the servers ``server_ids``."""
    env = os.environ
    checks = [setting_check(s, config or {}, env) for s in SETTINGS]
    try:
        settings = resolve_settings(config, env)
    except NodeConfigError as exc:
        checks.append(
            Check("settings", "fail", str(exc), "correct the setting it names", error=exc)
        )
        return Diagnosis(tuple(checks))
    checks += [endpoint_check(settings.endpoint), tls_check(settings.endpoint, env)]
    if any(c.status == "fail" for c in checks):
        return Diagnosis(tuple(checks))
    with settings.client() as client:
        checks += api_checks(client, settings, server_ids, clock)
    return Diagnosis(tuple(checks))
