"""The server functions: get_server_detail, get_server_list and reinstall_server (a restore,
from a snapshot).

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
* Every server starts ``on`` (order ``active``, package ``compute1``, owned) with
  ``install_source`` ``template`` and a random root password of its own, kept across
  reinstalls; a test (`Sandbox.set_server`) or the seeding (`_seed`) gives it other statuses, a
  label, a package, a shared ownership or tags. A reinstall brings a server back ``on``.
* get_server_list's records are those of get_server_detail, root password included (the
  published example is cut off before them). Its filters are exact matches; ties in the sort
  order keep server id order, so paging is stable.
* ``reinstall_server`` answers at once; the server is ``reinstall`` for the sandbox's reinstall
  time, then ``on`` (the docs say nothing of how long, or whether ``install`` comes between).
  A snapshot of another server of the account is accepted (the docs do not forbid it).
  Refusals, with the sandbox's own codes (the real ones are undocumented): a snapshot never
  made is ``NOT_FOUND``; one ``processing`` or ``deleted`` is ``SNAPSHOT_NOT_ACTIVE``; a server
  already reinstalling is ``SERVER_BUSY``; an unknown server ``SERVER_NOT_FOUND``. The
  "same or a lower package" rule never refuses: every sandbox server has one package.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from ._account import Account, Function
from ._params import (
    NOT_FOUND,
    SERVER_BUSY,
    SNAPSHOT_NOT_ACTIVE,
    ApiError,
    choice,
    integer,
    known_server,
    optional,
    require,
)
from ._store import Schedule, format_time
from ._store_servers import ServerRecord

END_TIME_DAYS = 30
_INSTALL_SOURCES = ("template", "snapshot", "iso")
ORDER_STATUSES = ("pending", "active", "suspended", "canceled")
SERVER_STATUSES = ("install", "reinstall", "on", "off", "suspended", "deleted")
PACKAGES = ("trial", "compute1", "compute2", "compute3", *(f"performance{i}" for i in range(1, 5)))
_SORTS = {
    "server_label_ascending": (False, "label"),
    "server_label_descending": (True, "label"),
    "activated_time_ascending": (False, "activated"),
    "activated_time_descending": (True, "activated"),
}
# The guessed, fixed part of every server's detail (see the module docstring).
_FIXED = {
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
}


def get_server_detail(account: Account, params: Mapping[str, str]) -> tuple[str, Any]:
    """Every documented field of one of the account's servers, its schedule included."""
    server_id = known_server(require(params, "server_id", 50), account.servers)
    server = account.store.server(server_id)
    data = _detail(account, server, account.store.schedule(server_id), account.store.now())
    return "Server detail has been retrieved.", data


def get_server_list(account: Account, params: Mapping[str, str]) -> tuple[str, Any]:
    """One page of the account's servers, filtered and sorted as documented (defaults: order
    ``active``, server ``on``); records as get_server_detail's. A page past the end answers the
    last page; with no records, page 1 of 0 pages (as get_snapshot_list)."""
    per_page = integer(params, "records_per_page", 10, 100, 20)
    page = integer(params, "page", 1, 999_999_999, 1)
    descending, sort_key = _SORTS[
        choice(params, "sorted_by", tuple(_SORTS), "activated_time_descending")
    ]
    wanted = {
        "ownership": choice(params, "ownership", ("all", "owner", "shared"), "all"),
        "order_status": choice(params, "order_status", ("all", *ORDER_STATUSES), "active"),
        "server_status": choice(params, "server_status", ("all", *SERVER_STATUSES), "on"),
        "package": choice(params, "package", ("all", *PACKAGES), "all"),
    }
    tags = {name: optional(params, name, 50) for name in _TAGS}
    now = account.store.now()
    schedules = {s.server_id: s for s in account.store.schedules()}
    matching = [
        server
        for server in account.store.servers_of(account.servers)
        if all(value in ("all", _shown(server, name, now)) for name, value in wanted.items())
        and all(value in (None, getattr(server.profile, name)) for name, value in tags.items())
    ]
    matching.sort(
        key=lambda server: (
            server.label if sort_key == "label" else server.activated_at,
            server.server_id,
        ),
        reverse=descending,
    )
    total_pages = math.ceil(len(matching) / per_page)
    page = max(1, min(page, total_pages))
    records = [
        _detail(account, server, schedules.get(server.server_id), now)
        for server in matching[(page - 1) * per_page : page * per_page]
    ]
    data = {
        "total_records": len(matching),
        "records_per_page": per_page,
        "total_pages": total_pages,
        "page": page,
        "records": records,
    }
    return "Server list has been retrieved.", data


_TAGS = ("custom_info_1", "custom_info_2", "custom_info_3")


def _shown(server: ServerRecord, name: str, now: float) -> str:
    """A server's value of a get_server_list filter."""
    return server.status(now) if name == "server_status" else str(getattr(server.profile, name))


def _detail(
    account: Account, server: ServerRecord, schedule: Schedule | None, now: float
) -> dict[str, Any]:
    """A server as get_server_detail's ``data`` (also a get_server_list record)."""
    last = server.last_reinstall
    profile = server.profile
    data: dict[str, Any] = {
        "server_id": server.server_id,
        "server_label": server.label,
        "order_status": profile.order_status,
        "server_status": server.status(now),
        "package": profile.package,
        **_FIXED,
        "activated_time": format_time(server.activated_at),
        "end_time": format_time(server.activated_at + END_TIME_DAYS * 86400),
        "install_source": "template" if last is None else last.install_source,
        "hostname": f"server-{server.server_id}.sandbox.invalid",
        "root_password": server.root_password,
        "ownership": profile.ownership,
        **{name: getattr(profile, name) for name in _TAGS},
    }
    schedule = schedule or Schedule(server.server_id, 0, 0, 0)
    for cycle, age, key in (
        ("daily", schedule.daily_max_age, account.daily_key),
        ("weekly", schedule.weekly_max_age, "weekly_snapshots"),
        ("monthly", schedule.monthly_max_age, "monthly_snapshots"),
    ):
        data[key] = "yes" if age else "no"
        data[f"retain_{cycle}_snapshots"] = age
    return data


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
    "get_server_list": get_server_list,
    "reinstall_server": reinstall_server,
}
