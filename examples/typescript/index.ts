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

// A look-up, like a data source: needs credentials and node:clientIpAddress, also in preview.
const existing = node.getSnapshotsOutput({ serverId, status: "all" });

export const snapshotId: pulumi.Output<string> = snap.snapshotId;
export const snapshotStatus = snap.snapshotStatus;
export const dailyMaxAge = schedule.dailyMaxAge;
export const snapshotIds = existing.snapshots.apply((s) => s.map((record) => record.snapshotId));
