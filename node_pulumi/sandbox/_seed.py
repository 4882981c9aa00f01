"""Seeding: an account with many servers in every status and snapshots of realistic ages, for
the benchmarks and the demo (``python -m node_pulumi.sandbox --seed-servers N``).

The spread is drawn from a seeded generator, so the same numbers give the same account:

* servers: mostly ``on`` with an ``active`` order; some ``off``; a few ``suspended`` (order
  ``suspended``), ``install`` (order ``pending``), ``reinstall``, and ``deleted`` (order
  ``canceled``); labels ``web-0001``, ``db-0002``...; every documented package; a tenth shared;
  ``custom_info_1`` a team name. Activated 30 to 400 days ago.
* snapshots, spread over the servers that are not deleted: about a day apart going back from a
  newest one taken 1 to 24 hours ago (for one server in ten, 26 to 72 hours ago), 1 to 80 GB;
  about one server in fifty has one ``processing``, and a few of those have been for days
  (stuck).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from ._store import Store
from ._store_servers import ServerProfile

FIRST_SEEDED_ID = 100001
_STATUSES = (  # (server_status, order_status, weight)
    ("on", "active", 80),
    ("off", "active", 8),
    ("suspended", "suspended", 3),
    ("install", "pending", 2),
    ("reinstall", "active", 2),
    ("deleted", "canceled", 5),
)
_ROLES = ("web", "db", "cache", "worker", "mail")
_PACKAGES = ("trial", "compute1", "compute2", "compute3", "performance1", "performance2")
_TEAMS = ("team-a", "team-b", "team-c")
_DAY = 86400.0
_HOUR = 3600.0


@dataclass(frozen=True)
class Seeded:
    """What the seeding added: the new servers' ids and the number of snapshots."""

    server_ids: tuple[str, ...]
    snapshots: int


def seed(store: Store, servers: int, snapshots: int, *, first_id: int, seed: int = 0) -> Seeded:
    """Add ``servers`` servers (ids from ``first_id`` on) and ``snapshots`` snapshots of them."""
    if servers < 0 or snapshots < 0:
        raise ValueError("the numbers of servers and snapshots must not be negative")
    if snapshots and not servers:
        raise ValueError("snapshots need servers to be of")
    rng = random.Random(seed)
    now = store.now()
    ids = tuple(str(first_id + n) for n in range(servers))
    profiles: list[tuple[str, ServerProfile]] = []
    for n, server_id in enumerate(ids):
        status, order, _ = rng.choices(_STATUSES, weights=[w for *_, w in _STATUSES])[0]
        profiles.append(
            (
                server_id,
                ServerProfile(
                    label=f"{rng.choice(_ROLES)}-{n + 1:04d}",
                    server_status=status,
                    order_status=order,
                    package=rng.choice(_PACKAGES),
                    ownership="shared" if rng.random() < 0.1 else "owner",
                    custom_info_1=rng.choice(_TEAMS),
                ),
            )
        )
    store.store_profiles(profiles)
    store.set_activated((i, now - rng.uniform(30, 400) * _DAY) for i in ids)
    alive = [i for i, p in profiles if p.server_status != "deleted"] or list(ids)
    store.add_snapshots(_snapshot_rows(rng, alive, snapshots, now))
    return Seeded(ids, snapshots)


def _snapshot_rows(
    rng: random.Random, servers: list[str], count: int, now: float
) -> list[tuple[str, str, float, float, float, float | None]]:
    """``count`` snapshots spread over ``servers`` round robin, each server's a day apart."""
    newest = {
        s: now - (rng.uniform(1, 24) if rng.random() < 0.9 else rng.uniform(26, 72)) * _HOUR
        for s in servers
    }
    taken = dict.fromkeys(servers, 0)
    rows: list[tuple[str, str, float, float, float, float | None]] = []
    for n in range(count):
        server = servers[n % len(servers)]
        created = newest[server] - taken[server] * _DAY - rng.uniform(0, _HOUR)
        taken[server] += 1
        ready = created + rng.uniform(2, 30) * 60
        if taken[server] == 1 and rng.random() < 0.02:
            # processing: most for a while, some stuck for days
            created = now - (rng.uniform(2, 5) * _DAY if rng.random() < 0.3 else 600.0)
            ready = now + 30 * _DAY
        size = round(rng.uniform(1, 80), 1)
        rows.append((Store.new_snapshot_id(), server, created, ready, size, None))
    return rows
