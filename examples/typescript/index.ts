// A snapshot retaken when the release changes, a schedule, and a look-up of the server's
// snapshots, through the generated TypeScript SDK (sdk/nodejs) and the node provider plugin.
import * as pulumi from "@pulumi/pulumi";
import * as node from "@node-pulumi/node";

const config = new pulumi.Config();
const serverId = config.get("serverId") ?? "12345";
const release = config.get("release") ?? "v1";

const snap = new node.Snapshot("before-deploy", {
    serverId,
    triggers: [release],
    waitTimeout: 600,
});

const schedule = new node.SnapshotSchedule("nightly", {
    serverId,
    dailyMaxAge: 7,
    weeklyMaxAge: 4,
});

// The server's snapshots once this one is taken: a look-up, like a data source, that needs
// credentials and node:clientIpAddress. Its argument comes from the snapshot, so it waits for
// the snapshot, and a preview that would create the snapshot makes no call.
const existing = node.getSnapshotsOutput({ serverId: snap.serverId, status: "all" });

export const snapshotId: pulumi.Output<string> = snap.snapshotId;
export const snapshotStatus = snap.snapshotStatus;
export const dailyMaxAge = schedule.dailyMaxAge;
// Every record's snapshotUrl is a secret, which makes the whole answer secret: the ids alone are
// not, so they are exported unwrapped.
export const snapshotIds = pulumi.unsecret(
    existing.snapshots.apply((s) => s.map((record) => record.snapshotId)),
);
