"""The lifecycle tests' Pulumi program: one Snapshot, shaped by the stack's `test:*` config."""

import json

import pulumi

import node_pulumi as node

config = pulumi.Config("test")

snap = node.Snapshot(
    "snap",
    server_id=config.get("serverId") or "12345",
    triggers=json.loads(config.get("triggers") or '["v1"]'),
    wait_until_active=config.get_bool("wait") or False,
    opts=pulumi.ResourceOptions(retain_on_delete=config.get_bool("retain") or False),
)
pulumi.export("snapshot_id", snap.snapshot_id)
pulumi.export("snapshot_status", snap.snapshot_status)
pulumi.export("server_id", snap.server_id)

adopt = config.get("adopt")
if adopt:
    adopted = node.Snapshot.get("adopted", adopt)
    pulumi.export("adopted_id", adopted.snapshot_id)
    pulumi.export("adopted_server_id", adopted.server_id)
    pulumi.export("adopted_status", adopted.snapshot_status)
