"""A SnapshotSchedule bound to snapshot_before_update: its API call shows when its update runs."""

import pulumi

import node_pulumi as node

config = pulumi.Config("test")
schedule = node.SnapshotSchedule(
    "schedule",
    server_id="12345",
    daily_max_age=config.get_int("daily") or 7,
    opts=pulumi.ResourceOptions(
        hooks=pulumi.ResourceHookBinding(before_update=[node.snapshot_before_update("12345")])
    ),
)
pulumi.export("daily_max_age", schedule.daily_max_age)

# Calls that behave alike return one hook (the engine refuses a hook name registered twice);
# calls that differ get hooks of distinct names.
hooks = [
    node.snapshot_before_update("12345"),
    node.snapshot_before_update("12345", wait_timeout=5),
    node.snapshot_before_update("12345", wait_until_active=True, wait_timeout=5),
    node.snapshot_before_update("12345", wait_until_active=True, wait_timeout=5.0),
    node.snapshot_before_update("12345", wait_until_active=True, wait_timeout=6),
]
pulumi.export("hook_names", [hook.name for hook in hooks])
