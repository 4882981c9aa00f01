"""The move-between-doors test's program, written for the dynamic resources.

tests/lifecycle/test_move_between_doors.py changes its import line as docs/guides say. It has a
snapshot with triggers and its own wait settings, one waited for by nobody inside a component, a
schedule that depends on a snapshot, and, with `test:adopt`, a snapshot adopted with `get`.
"""

import pulumi

import node_pulumi as node

config = pulumi.Config("test")


class Group(pulumi.ComponentResource):
    def __init__(self, name: str) -> None:
        super().__init__("test:index:Group", name)
        self.snapshot = node.Snapshot(
            "grouped",
            server_id="67890",
            wait_until_active=False,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({})


snap = node.Snapshot(
    "before-deploy",
    server_id="12345",
    triggers=[config.get("release") or "v1"],
    wait_timeout=600,
)
group = Group("group")
schedule = node.SnapshotSchedule(
    "nightly", server_id=snap.server_id, daily_max_age=7, weekly_max_age=4
)
pulumi.export("snapshot_id", snap.snapshot_id)
pulumi.export("snapshot_status", snap.snapshot_status)
pulumi.export("triggers", snap.triggers)
pulumi.export("grouped_id", group.snapshot.snapshot_id)
pulumi.export("daily", schedule.daily_max_age)

adopt = config.get("adopt")
if adopt:
    pulumi.export("adopted_id", node.Snapshot.get("adopted", adopt).snapshot_id)
