"""A program of many `node_pulumi.native` Snapshots: `test:count` of them (default 20), waiting
with `test:wait`.

Each snapshots its own server, `srv-00`, `srv-01`, ... (the sandbox must know them), so an error
naming a server names its resource. tests/lifecycle/many is the same program for the dynamic door.
"""

import pulumi

from node_pulumi import native as node

config = pulumi.Config("test")
wait = config.get_bool("wait") or False

for index in range(config.get_int("count") or 20):
    node.Snapshot(f"snap-{index:02d}", server_id=f"srv-{index:02d}", wait_until_active=wait)
