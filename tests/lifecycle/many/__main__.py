"""A program of many Snapshots: `test:count` of them (default 20), waiting with `test:wait`.

Each snapshots its own server, `srv-00`, `srv-01`, ... (the sandbox must know them): an error
naming a server then names the resource it belongs to, and a second snapshot of a server can only
be a duplicate. tests/lifecycle/native_many is the same program for the plugin.
"""

import pulumi

import node_pulumi as node

config = pulumi.Config("test")
wait = config.get_bool("wait") or False

for index in range(config.get_int("count") or 20):
    node.Snapshot(f"snap-{index:02d}", server_id=f"srv-{index:02d}", wait_until_active=wait)
