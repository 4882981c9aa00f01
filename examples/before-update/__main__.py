"""Two ways to snapshot a server before a risky change, side by side."""

import pulumi
from release import AppRelease

import node_pulumi as node

config = pulumi.Config()
server_id = config.get("serverId") or "12345"
version = config.get("version") or "1.0.0"

# 1. A Snapshot keyed on the version: replaced (a new snapshot taken, then the old one deleted)
#    whenever the version changes, so only the snapshot from before the latest release is kept.
#    The release waits for it to be active before deploying (depends_on).
before_release = node.Snapshot(
    "before-release", server_id=server_id, triggers=[version], wait_until_active=True
)
AppRelease(
    "release-with-snapshot-resource",
    server_id,
    version,
    opts=pulumi.ResourceOptions(depends_on=[before_release]),
)

# 2. A RotatingSnapshot keyed on the version: each release takes one more snapshot and deletes
#    the oldest beyond `keep`, so the last three releases can be gone back to, and no more pile
#    up. (`node.snapshot_before_update`, a hook, also snapshots before an update, but leaves one
#    snapshot per update that nothing deletes.)
last_releases = node.RotatingSnapshot(
    "before-releases", server_id=server_id, keep=3, triggers=[version], wait_until_active=True
)
AppRelease(
    "release-with-rotation",
    server_id,
    version,
    opts=pulumi.ResourceOptions(depends_on=[last_releases]),
)

pulumi.export("snapshot_before_release", before_release.snapshot_id)
pulumi.export("snapshots_before_releases", last_releases.snapshot_ids)
