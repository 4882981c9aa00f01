"""The plugin lifecycle tests' program: `node_pulumi.native` resources, shaped by `test:*` config.

`test:provider` set to an endpoint declares an explicit provider with its own credentials
(`test:providerUserId`, `test:providerApiKey`); `test:upstream` makes the snapshot's server
id and triggers come from another snapshot's id, unknown at the first preview;
`test:createTimeout` sets customTimeouts.create; `test:adopt` adopts a snapshot by id;
`test:dailyMaxAge` adds a schedule of the snapshot's server; `test:lookupServer` calls
getSnapshots for that server. The config the two doors share means the same as in
tests/lifecycle/program (the dynamic door's).
"""

import json

import pulumi

from node_pulumi import native as node

config = pulumi.Config("test")

provider = None
endpoint = config.get("provider")
if endpoint:
    provider = node.Provider(
        "explicit",
        user_id=config.require("providerUserId"),
        api_key=config.require("providerApiKey"),
        endpoint=endpoint,
        timeout=config.get_float("providerTimeout"),
    )

server_id: pulumi.Input[str] = config.get("serverId") or "12345"
triggers = json.loads(config.get("triggers") or '["v1"]')
if config.get_bool("upstream"):
    upstream = node.Snapshot(
        "upstream",
        server_id=server_id,
        wait_until_active=False,
        opts=pulumi.ResourceOptions(provider=provider),
    )
    # Outputs only the API can tell: unknown in the first preview.
    server_id = upstream.snapshot_id.apply(lambda _: "12345")
    triggers = [upstream.snapshot_id]

create_timeout = config.get("createTimeout")
snap = node.Snapshot(
    "snap",
    server_id=server_id,
    triggers=triggers,
    wait_until_active=config.get_bool("wait") or False,
    wait_timeout=config.get_float("waitTimeout") or 1800,
    opts=pulumi.ResourceOptions(
        retain_on_delete=config.get_bool("retain") or False,
        provider=provider,
        custom_timeouts=pulumi.CustomTimeouts(create=create_timeout) if create_timeout else None,
    ),
)
pulumi.export("snapshot_id", snap.snapshot_id)
pulumi.export("snapshot_status", snap.snapshot_status)
pulumi.export("server_id", snap.server_id)

adopt = config.get("adopt")
if adopt:
    adopted = node.Snapshot.get("adopted", adopt, opts=pulumi.ResourceOptions(provider=provider))
    pulumi.export("adopted_id", adopted.snapshot_id)
    pulumi.export("adopted_server_id", adopted.server_id)
    pulumi.export("adopted_status", adopted.snapshot_status)

daily = config.get_int("dailyMaxAge")
if daily:
    schedule = node.SnapshotSchedule(
        "schedule",
        server_id=snap.server_id,
        daily_max_age=daily,
        weekly_max_age=4,
        opts=pulumi.ResourceOptions(provider=provider),
    )
    pulumi.export("schedule_daily", schedule.daily_max_age)
    pulumi.export("schedule_weekly", schedule.weekly_max_age)

lookup_server = config.get("lookupServer")
if lookup_server:
    found = node.get_snapshots(server_id=lookup_server, status="all")
    pulumi.export("found", found.apply(lambda r: [(s["snapshot_id"], s["server_id"]) for s in r]))
