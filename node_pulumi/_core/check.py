"""``node-pulumi check``'s question, answered as typed results: does every server have a recent
snapshot? The command's table, JSON and Prometheus file are three renderings of one `Report`.

The calls, whatever the number of servers: the account's servers once (get_server_list,
``server_status=all`` and ``order_status=all``, so that servers that are off, suspended or
reinstalling are checked too), then the snapshots of every server once per status
(get_snapshot_list, ``active`` and ``processing``), 100 a page: ⌈servers/100⌉ +
⌈active/100⌉ + ⌈processing/100⌉ calls, each at least one. Every listing must be complete
(`complete_listing`): a partial one makes the check `State.UNKNOWN`, never OK.

Per server (`ServerCheck`), the worst of:

* CRITICAL: no active snapshot; the newest is ``max_age`` old or older; fewer than
  ``min_count`` active; a snapshot ``processing`` for longer than ``stuck_after``.
* WARNING: the newest is ``warn_age`` old or older; a snapshot's time lies more than
  `FUTURE_TOLERANCE` in the future under the assumed API time zone (`api_time`): the zone is
  probably wrong, and every age with it.
* UNKNOWN: a server asked for by id that is not among the account's servers; a snapshot time
  that cannot be read.

Ages count from ``snapshot_add_time`` (when the snapshot was taken); a time in the future
counts as age 0. The report's state is the worst of its servers', CRITICAL before UNKNOWN
before WARNING; the monitoring-plugin exit statuses are the states' values.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any

from .._api.errors import NodeConfigError, NodeError
from .._api.transport import NodeClient
from .api_time import parse_api_time, zone_name
from .listing import complete_listing
from .settings import CLIENT_IP_ADDRESS

GB = 10**9
"""Bytes in the API's GB (``snapshot_size``): decimal gigabytes, as the unit is written. (Were
they GiB, sizes in bytes would read about 7% low.)"""
FUTURE_TOLERANCE = timedelta(minutes=15)
"""How far in the future a snapshot's time may lie (clocks differ) before the zone is doubted."""
GONE_SERVER_STATUSES = frozenset({"deleted"})
GONE_ORDER_STATUSES = frozenset({"canceled"})
"""``--all`` skips servers whose status or order says they are gone: there is nothing left to
back up. Every other status is checked: a server that is off still has a disk worth a backup."""


class State(enum.IntEnum):
    """A check's outcome; its value is the monitoring-plugin exit status."""

    OK = 0
    WARNING = 1
    CRITICAL = 2
    UNKNOWN = 3

    @property
    def severity(self) -> int:
        """Order of precedence: CRITICAL, then UNKNOWN, then WARNING, then OK."""
        return {State.OK: 0, State.WARNING: 1, State.UNKNOWN: 2, State.CRITICAL: 3}[self]


def worst(states: Iterable[State]) -> State:
    """The state that takes precedence (`State.severity`); OK for none."""
    return max(states, key=lambda state: state.severity, default=State.OK)


@dataclass(frozen=True)
class Policy:
    """The thresholds (seconds) and the zone the API's times are read in."""

    max_age: float
    warn_age: float | None
    min_count: int
    stuck_after: float
    zone: tzinfo = timezone.utc

    def __post_init__(self) -> None:
        if not self.max_age > 0 or not self.stuck_after > 0 or self.min_count < 0:
            raise NodeConfigError("max_age and stuck_after must be positive, min_count >= 0")
        if self.warn_age is not None and not 0 < self.warn_age < self.max_age:
            raise NodeConfigError("the warning age must be positive and below the maximum age")


@dataclass(frozen=True)
class Server:
    """What the check keeps of a server record (never the record whole: it may hold the root
    password)."""

    server_id: str
    label: str = ""
    server_status: str = ""
    order_status: str = ""

    @classmethod
    def of(cls, record: Mapping[str, Any]) -> Server:
        return cls(
            str(record.get("server_id") or ""),
            str(record.get("server_label") or ""),
            str(record.get("server_status") or ""),
            str(record.get("order_status") or ""),
        )


@dataclass(frozen=True)
class Snapshot:
    """What the check keeps of a snapshot record (never its download URL)."""

    snapshot_id: str
    server_id: str
    status: str
    added: str
    taken_at: datetime | None
    size_bytes: int | None

    @classmethod
    def of(cls, record: Mapping[str, Any], zone: tzinfo) -> Snapshot:
        added = str(record.get("snapshot_add_time") or "")
        size = record.get("snapshot_size")
        return cls(
            str(record.get("snapshot_id") or ""),
            str(record.get("server_id") or ""),
            str(record.get("snapshot_status") or ""),
            added,
            parse_api_time(added, zone),
            round(size * GB) if isinstance(size, int | float) else None,
        )


@dataclass(frozen=True)
class ServerCheck:
    """One server's answer: its state and why, and the facts the renderings show."""

    server: Server
    state: State
    reasons: tuple[str, ...]
    active: int = 0
    active_bytes: int = 0
    processing: int = 0
    stuck: tuple[str, ...] = ()
    newest: Snapshot | None = None
    newest_age: float | None = None
    """Seconds from the newest active snapshot's time to the check (negative: in the future)."""


@dataclass(frozen=True)
class Report:
    """The whole check: its state, when it ran, and each server's answer.

    ``error`` says why the API could not be asked (the state is then UNKNOWN and ``servers``
    empty); ``skipped`` are the servers ``--all`` left out as gone (`GONE_SERVER_STATUSES`).
    Servers come in the order asked for, or with ``every_server`` by id.
    """

    state: State
    ran_at: datetime
    policy: Policy | None
    servers: tuple[ServerCheck, ...] = ()
    skipped: tuple[Server, ...] = ()
    error: str | None = None
    every_server: bool = False

    @classmethod
    def failed(
        cls, error: str, ran_at: datetime, policy: Policy | None, every_server: bool = False
    ) -> Report:
        return cls(State.UNKNOWN, ran_at, policy, error=error, every_server=every_server)

    @property
    def counts(self) -> dict[State, int]:
        """How many servers are in each state."""
        counts = dict.fromkeys(State, 0)
        for check in self.servers:
            counts[check.state] += 1
        return counts


@dataclass
class _Facts:
    active: list[Snapshot] = field(default_factory=list)
    processing: list[Snapshot] = field(default_factory=list)


def run_check(
    client: NodeClient,
    policy: Policy,
    *,
    server_ids: Sequence[str] | None,
    client_ip_address: str | None,
    clock: Callable[[], float],
) -> Report:
    """Ask the API (see the module docstring) and evaluate; every failure to ask is an UNKNOWN
    report naming it. ``server_ids`` None means every server of the account."""
    ran_at = datetime.fromtimestamp(clock(), tz=timezone.utc)
    every = server_ids is None
    try:
        if not client_ip_address:
            raise NodeConfigError(
                f"check lists snapshots, for which the API needs a client IP address: set "
                f"{CLIENT_IP_ADDRESS.describe()}"
            )
        servers = complete_listing(
            client, "get_server_list", "server_id", server_status="all", order_status="all"
        )
        snapshots = [
            record
            for status in ("active", "processing")
            for record in complete_listing(
                client,
                "get_snapshot_list",
                "snapshot_id",
                client_ip_address=client_ip_address,
                snapshot_status=status,
                snapshot_cycle="all",
                sorted_by="snapshot_add_time_ascending",
            )
        ]
    except NodeError as error:
        return Report.failed(str(error), ran_at, policy, every)
    return evaluate(
        [Server.of(r) for r in servers],
        [Snapshot.of(r, policy.zone) for r in snapshots],
        policy,
        ran_at,
        server_ids=server_ids,
    )


def evaluate(
    servers: Sequence[Server],
    snapshots: Iterable[Snapshot],
    policy: Policy,
    ran_at: datetime,
    *,
    server_ids: Sequence[str] | None,
) -> Report:
    """The report for these servers and snapshots (no API call)."""
    known = {server.server_id: server for server in servers}
    skipped: tuple[Server, ...] = ()
    if server_ids is None:
        ordered = sorted(servers, key=lambda s: _by_id(s.server_id))
        chosen = [s for s in ordered if not _gone(s)]
        skipped = tuple(s for s in ordered if _gone(s))
    else:
        chosen = [known.get(i) or Server(i) for i in dict.fromkeys(server_ids)]
    facts = {server.server_id: _Facts() for server in chosen}
    for snapshot in snapshots:
        found = facts.get(snapshot.server_id)
        if found is not None:
            bucket = found.active if snapshot.status == "active" else found.processing
            bucket.append(snapshot)
    checks = tuple(
        _check(s, facts[s.server_id], policy, ran_at)
        if s.server_id in known
        else ServerCheck(s, State.UNKNOWN, ("not among the account's servers",))
        for s in chosen
    )
    if server_ids is None and not checks:
        return Report.failed("the account lists no server to check", ran_at, policy, True)
    state = worst(check.state for check in checks)
    return Report(state, ran_at, policy, checks, skipped, every_server=server_ids is None)


def _by_id(server_id: str) -> tuple[int, str]:
    """Numeric ids in numeric order (``2`` before ``10``), then the others."""
    return (int(server_id), "") if server_id.isdigit() else (-1, server_id)


def _gone(server: Server) -> bool:
    return (
        server.server_status in GONE_SERVER_STATUSES or server.order_status in GONE_ORDER_STATUSES
    )


def _check(server: Server, facts: _Facts, policy: Policy, ran_at: datetime) -> ServerCheck:
    found: list[tuple[State, str]] = []
    zone = zone_name(policy.zone)
    for snapshot in facts.active + facts.processing:
        if snapshot.taken_at is None:
            found.append(
                (
                    State.UNKNOWN,
                    f"snapshot {snapshot.snapshot_id}: unreadable time {snapshot.added!r}",
                )
            )
        elif snapshot.taken_at - ran_at > FUTURE_TOLERANCE:
            ahead = human_duration(snapshot.taken_at - ran_at)
            found.append(
                (
                    State.WARNING,
                    f"snapshot {snapshot.snapshot_id} was taken {ahead} in the future if the "
                    f"API's times are {zone}: set the API time zone (--api-timezone)",
                )
            )
    dated = [s for s in facts.active if s.taken_at is not None]
    newest = max(dated, key=lambda s: s.taken_at or ran_at, default=None)
    age = None
    if newest is None or newest.taken_at is None:
        found.append((State.CRITICAL, "no active snapshot"))
    else:
        age = (ran_at - newest.taken_at).total_seconds()
        shown = f"newest active snapshot {newest.snapshot_id} is {human_duration(age)} old"
        if max(age, 0) >= policy.max_age:
            found.append((State.CRITICAL, f"{shown} (max {human_duration(policy.max_age)})"))
        elif policy.warn_age is not None and max(age, 0) >= policy.warn_age:
            found.append((State.WARNING, f"{shown} (warn {human_duration(policy.warn_age)})"))
    if len(facts.active) < policy.min_count:
        found.append((State.CRITICAL, f"{len(facts.active)} active, fewer than {policy.min_count}"))
    stuck = [
        s
        for s in facts.processing
        if s.taken_at is not None and (ran_at - s.taken_at).total_seconds() > policy.stuck_after
    ]
    for snapshot in stuck:
        assert snapshot.taken_at is not None
        found.append(
            (
                State.CRITICAL,
                f"snapshot {snapshot.snapshot_id} processing for "
                f"{human_duration(ran_at - snapshot.taken_at)} "
                f"(stuck after {human_duration(policy.stuck_after)})",
            )
        )
    return ServerCheck(
        server,
        worst(state for state, _ in found),
        tuple(reason for _, reason in found),
        active=len(facts.active),
        active_bytes=sum(s.size_bytes or 0 for s in facts.active),
        processing=len(facts.processing),
        stuck=tuple(s.snapshot_id for s in stuck),
        newest=newest,
        newest_age=age,
    )


def human_duration(span: float | timedelta) -> str:
    """``45m``, ``26h``, ``3d04h``: a duration as people read it."""
    seconds = int(span.total_seconds() if isinstance(span, timedelta) else span)
    if seconds < 3600:
        return f"{seconds // 60}m"
    if seconds < 3 * 86400:
        hours, rest = divmod(seconds, 3600)
        return f"{hours}h" if rest < 60 else f"{hours}h{rest // 60:02d}m"
    return f"{seconds // 86400}d{seconds % 86400 // 3600:02d}h"
