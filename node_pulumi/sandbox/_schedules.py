"""The schedule function: set_server_snapshot_schedule (the API has none that reads one back).

It takes the caller's `Account` and the request's parameters and returns the envelope's
``(message, data)``, or raises `ApiError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._account import Account, Function
from ._params import known_server, max_age, require
from ._store import Schedule

_CYCLES = ("daily", "weekly", "monthly")


def set_server_snapshot_schedule(account: Account, params: Mapping[str, str]) -> tuple[str, Any]:
    """Store the server's cycles (a max age of 0 turns one off) and echo them back."""
    schedule = Schedule(
        known_server(require(params, "server_id", 50), account.servers),
        *(max_age(params, cycle) for cycle in _CYCLES),
    )
    account.store.set_schedule(schedule)
    return "Server snapshot schedule has been set.", schedule.echo()


FUNCTIONS: dict[str, Function] = {"set_server_snapshot_schedule": set_server_snapshot_schedule}
