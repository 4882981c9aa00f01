"""A program of many Snapshots (the fault tests' kill/restart): `test:count` of them, default 20.

Each snapshots its own server, `srv-00`, `srv-01`, ...: an error naming a server then names
the resource it belongs to, and a second snapshot of a server can only be a duplicate.
"""

import pulumi

import node_pulumi as node

config = pulumi.Config("test")

for index in range(config.get_int("count") or 20):
    node.Snapshot(f"snap-{index:02d}", server_id=f"srv-{index:02d}", wait_until_active=False)
