"""The interruption tests' program: one Snapshot per server of `test:servers`, each waiting.

`test:servers` is comma-separated (default 12,42,555,777); `test:wait` false stops the waiting;
`test:adopt`, comma-separated snapshot ids, adopts each with `Snapshot.get`.
"""

import pulumi

import node_pulumi as node

config = pulumi.Config("test")
wait = config.get_bool("wait")

for server in (config.get("servers") or "12,42,555,777").split(","):
    node.Snapshot(f"snap-{server}", server_id=server, wait_until_active=wait is not False)

for snapshot_id in filter(None, (config.get("adopt") or "").split(",")):
    adopted = node.Snapshot.get(f"adopted-{snapshot_id}", snapshot_id)
    pulumi.export(f"adopted-{snapshot_id}", adopted.server_id)
