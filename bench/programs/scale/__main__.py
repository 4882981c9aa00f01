"""N resources of the kind the stack's bench:* config says.

`bench:kind`: `snapshot` (node_pulumi.Snapshot, the dynamic door), `native`
(node_pulumi.native.Snapshot, the plugin), `rotating` / `native-rotating` (RotatingSnapshot with
keep=1, each door), `noop` (a do-nothing dynamic resource) or `noop-plugin` (a do-nothing plugin
resource); `bench:count`; `bench:wait` (wait_until_active); `bench:trigger` (the snapshots'
triggers: `[trigger]`, none when unset).
"""

import pulumi
from noop import Noop, NoopPlugin

import node_pulumi as node
from node_pulumi import native

config = pulumi.Config("bench")
count = config.require_int("count")
kind = config.require("kind")
wait = config.get_bool("wait") or False
trigger = config.get("trigger")
triggers = [trigger] if trigger else None
for i in range(count):
    if kind == "snapshot":
        node.Snapshot(f"snap-{i}", server_id="12345", triggers=triggers, wait_until_active=wait)
    elif kind == "native":
        native.Snapshot(f"snap-{i}", server_id="12345", triggers=triggers, wait_until_active=wait)
    elif kind == "rotating":
        node.RotatingSnapshot(
            f"rot-{i}", server_id="12345", keep=1, triggers=triggers, wait_until_active=wait
        )
    elif kind == "native-rotating":
        native.RotatingSnapshot(
            f"rot-{i}", server_id="12345", keep=1, triggers=triggers, wait_until_active=wait
        )
    elif kind == "noop":
        Noop(f"noop-{i}", i)
    else:
        NoopPlugin(f"noop-{i}", wait)
