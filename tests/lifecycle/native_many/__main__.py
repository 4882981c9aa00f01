"""The plugin's heavy tests' program: `test:count` `node_pulumi.native` Snapshots (default 20).

Each snapshots its own server, `srv-00`, `srv-01`, ... (the sandbox must know them), so an error
naming a server names its resource. `test:wait` false stops the waiting (default: wait).
"""

import pulumi

from node_pulumi import native as node

config = pulumi.Config("test")
wait = config.get_bool("wait") is not False

for index in range(config.get_int("count") or 20):
    node.Snapshot(f"snap-{index:02d}", server_id=f"srv-{index:02d}", wait_until_active=wait)
