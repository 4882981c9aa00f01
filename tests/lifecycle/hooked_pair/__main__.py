"""Two schedules, each bound to a waiting snapshot_before_update of its own server: when both
update in one `up`, the engine calls both hooks at once, on the program's one event loop."""

import pulumi

import node_pulumi as node

config = pulumi.Config("test")
for server in ("12345", "67890"):
    hook = node.snapshot_before_update(server, wait_until_active=True, wait_timeout=60)
    node.SnapshotSchedule(
        f"schedule-{server}",
        server_id=server,
        daily_max_age=config.get_int("daily") or 7,
        opts=pulumi.ResourceOptions(hooks=pulumi.ResourceHookBinding(before_update=[hook])),
    )
