"""Two ways to snapshot a server before a risky change, side by side."""

import pulumi
from release import AppRelease

import node_pulumi as node

config = pulumi.Config()
server_id = config.get("serverId") or "12345"
version = config.get("version") or "1.0.0"

# 1. triggers + depends_on: a Snapshot keyed on the version is replaced (a new snapshot taken)
#    whenever the version changes, and the release waits for it to be active before deploying.
#    Works in every Pulumi version and shows the snapshot in `pulumi preview`.
before_release = node.Snapshot(
    "before-release", server_id=server_id, triggers=[version], wait_until_active=True
)
AppRelease(
    "release-with-snapshot-resource",
    server_id,
    version,
    opts=pulumi.ResourceOptions(depends_on=[before_release]),
)

# 2. A hook: whatever makes this resource update, a snapshot is taken first, and a failed
#    snapshot stops the update. Nothing to keep in state; not run in preview or on replace.
AppRelease(
    "release-with-hook",
    server_id,
    version,
    opts=pulumi.ResourceOptions(
        hooks=pulumi.ResourceHookBinding(before_update=[node.snapshot_before_update(server_id)])
    ),
)

pulumi.export("snapshot_before_release", before_release.snapshot_id)
