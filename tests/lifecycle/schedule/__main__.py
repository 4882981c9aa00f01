"""The schedule read-back tests' program: one SnapshotSchedule through the door `test:door` names.

`test:door`: `dynamic` (node_pulumi, the default) or `plugin` (node_pulumi.native); `test:daily`,
`test:weekly` and `test:monthly` are its max ages (absent: that cycle off).
"""

import pulumi

import node_pulumi
from node_pulumi import native

config = pulumi.Config("test")
node = native if config.get("door") == "plugin" else node_pulumi

schedule = node.SnapshotSchedule(
    "schedule",
    server_id="12345",
    daily_max_age=config.get_int("daily"),
    weekly_max_age=config.get_int("weekly"),
    monthly_max_age=config.get_int("monthly"),
)
pulumi.export("daily_max_age", schedule.daily_max_age)
pulumi.export("weekly_max_age", schedule.weekly_max_age)
pulumi.export("monthly_max_age", schedule.monthly_max_age)
