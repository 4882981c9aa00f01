"""The RotatingSnapshot lifecycle tests' program, through the door `test:door` names.

`test:door`: `dynamic` (node_pulumi, the default) or `plugin` (node_pulumi.native);
`test:serverId`, `test:keep` (default 2), `test:triggers` (JSON, default ["v1"]), `test:wait`,
`test:waitTimeout` and `test:retain` shape the one RotatingSnapshot.
"""

import json

import pulumi

import node_pulumi
from node_pulumi import native

config = pulumi.Config("test")
node = native if config.get("door") == "plugin" else node_pulumi

keep = config.get_int("keep")
rotating = node.RotatingSnapshot(
    "rotating",
    server_id=config.get("serverId") or "12345",
    keep=2 if keep is None else keep,
    triggers=json.loads(config.get("triggers") or '["v1"]'),
    wait_until_active=config.get_bool("wait") or False,
    wait_timeout=config.get_float("waitTimeout") or 1800,
    opts=pulumi.ResourceOptions(retain_on_delete=config.get_bool("retain") or False),
)
pulumi.export("snapshot_id", rotating.snapshot_id)
pulumi.export("snapshot_ids", rotating.snapshot_ids)
pulumi.export("snapshot_status", rotating.snapshot_status)
pulumi.export("server_id", rotating.server_id)
