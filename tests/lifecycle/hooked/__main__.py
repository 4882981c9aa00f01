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
