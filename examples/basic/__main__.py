"""Take a snapshot of a server, and a new one whenever the release changes."""

import pulumi

import node_pulumi as node

config = pulumi.Config()
release = config.get("release") or "v1"

snap = node.Snapshot(
    "before-deploy",
    server_id=config.get("serverId") or "12345",
    triggers=[release],
)

pulumi.export("snapshot_id", snap.snapshot_id)
pulumi.export("snapshot_status", snap.snapshot_status)
