"""N Snapshot resources, or N do-nothing resources, as the stack's bench:* config says."""

import pulumi
from noop import Noop

import node_pulumi as node

config = pulumi.Config("bench")
count = config.require_int("count")
wait = config.get_bool("wait") or False
for i in range(count):
    if config.require("kind") == "snapshot":
        node.Snapshot(f"snap-{i}", server_id="12345", wait_until_active=wait)
    else:
        Noop(f"noop-{i}", i)
