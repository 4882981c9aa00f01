"""The server functions: get_server_detail and reinstall_server (a restore, from a snapshot).

Each takes the caller's `Account` and the request's parameters and returns the envelope's
``(message, data)``, or raises `ApiError`.

What the published pages leave open, and what the sandbox guesses:

* The detail's values other than statuses, the schedule and the ids (``package``, ``vcpu``,
  ``ram``, ``ssd``, ``hdd``, ``price``, ``monthly_cap``, ``install_method``, ``data_center``, ...)
  are made up here: the same plausible values for every server, numbers as numbers in JSON.
  ``activated_time`` is when the sandbox first saw the server, ``end_time`` 30 days later.
* The schedule arrives under the published ``daiy_snapshots`` (sic) unless the sandbox is told
  to answer ``daily_snapshots``; where the published example is cut off, ``monthly_snapshots``
  and ``retain_monthly_snapshots`` are presumed. ``retain_*`` is the max age as set (0 when off).
* Every server starts ``on`` with ``install_source`` ``template`` and a random root password of
  its own, kept across reinstalls.
* ``reinstall_server`` answers at once; the server is ``reinstall`` for the sandbox's reinstall
  time, then ``on`` (the docs say nothing of how long, or whether ``install`` comes between).
  A snapshot of another server of the account is accepted (the docs do not forbid it).
  Refusals, with the sandbox's own codes (the real ones are undocumented): a snapshot never
  made is ``NOT_FOUND``; one ``processing`` or ``deleted`` is ``SNAPSHOT_NOT_ACTIVE``; a server
  already reinstalling is ``SERVER_BUSY``; an unknown server ``SERVER_NOT_FOUND``. The
  "same or a lower package" rule never refuses: every sandbox server has one package.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._account import Account, Function
from ._params import (
    NOT_FOUND,
    SERVER_BUSY,
    SNAPSHOT_NOT_ACTIVE,
    ApiError,
    choice,
    known_server,
    optional,
    require,
)
from ._store import format_time

END_TIME_DAYS = 30
_INSTALL_SOURCES = ("template", "snapshot", "iso")
# The guessed, fixed part of every server's detail (see the module docstring).
_FIXED = {
    "order_status": "active",
    "package": "VPS-S2",
    "vcpu": 2,
    "ram": 4096,
    "ssd": 80,
    "hdd": 0,
    "price": 150000,
    "monthly_cap": 2000,
    "install_method": "auto",
    "os_template": "ubuntu-24.04-x86_64",
    "iso_url": "",
    "os_variant": "ubuntu",
    "arch": "x86_64",
    "data_center": "JKT-1",
    "extra_data_transfer_action": "throttle",
    "ownership": "owner",
    "custom_info_1": "",
    "custom_info_2": "",
    "custom_info_3": "",
}


def get_server_detail(account: Account, params: Mapping[str, str]) -> tuple[str, Any]:
    """Every documented field of one of the account's servers, its schedule included."""
    server_id = known_server(require(params, "server_id", 50), account.servers)
    server = account.store.server(server_id)
    now = account.store.now()
    last = server.last_reinstall
    schedule = account.store.schedule(server_id)
    data: dict[str, Any] = {
        "server_id": server_id,
        "server_label": f"server-{server_id}",
        "order_status": _FIXED["order_status"],
        "server_status": server.status(now),
        **{k: v for k, v in _FIXED.items() if k != "order_status"},
        "activated_time": format_time(server.activated_at),
        "end_time": format_time(server.activated_at + END_TIME_DAYS * 86400),
        "install_source": "template" if last is None else last.install_source,
        "hostname": f"server-{server_id}.sandbox.invalid",
        "root_password": server.root_password,
    }
    for cycle, age, key in (
        ("daily", schedule.daily_max_age, account.daily_key),
        ("weekly", schedule.weekly_max_age, "weekly_snapshots"),
        ("monthly", schedule.monthly_max_age, "monthly_snapshots"),
    ):
        data[key] = "yes" if age else "no"
        data[f"retain_{cycle}_snapshots"] = age
    return "Server detail has been retrieved.", data


def reinstall_server(account: Account, params: Mapping[str, str]) -> tuple[str, Any]:
    """Reinstall a server; from a snapshot, only an ``active`` one (see the module docstring)."""
    server_id = known_server(require(params, "server_id", 50), account.servers)
    require(params, "install_source")
    source = choice(params, "install_source", _INSTALL_SOURCES, "template")
    snapshot_id = None
    if source == "snapshot":
        snapshot_id = require(params, "snapshot_id", 50)
        snapshot = account.store.get_snapshot(snapshot_id)
        if snapshot is None:
            raise ApiError(NOT_FOUND, "Snapshot not found.")
        status = snapshot.status(account.store.now())
        if status != "active":
            raise ApiError(SNAPSHOT_NOT_ACTIVE, f"Snapshot {snapshot_id} is {status}, not active.")
    elif source == "template":
        require(params, "os_template", 100)
    else:
        require(params, "iso_url", 500)
    optional(params, "hostname", 100)
    if account.store.start_reinstall(server_id, source, snapshot_id) is None:
        raise ApiError(SERVER_BUSY, f"Server {server_id} is being reinstalled already.")
    # As published, even when the sandbox's reinstall time is 0 (the server is on again).
    data = {"server_id": server_id, "order_status": "active", "server_status": "reinstall"}
    return "The server re-installation process has been started", data


FUNCTIONS: dict[str, Function] = {
    "get_server_detail": get_server_detail,
    "reinstall_server": reinstall_server,
}
