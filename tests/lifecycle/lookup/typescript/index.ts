// The getSnapshots-in-preview test's TypeScript program: a look-up whose arguments are known at
// preview, through the generated SDK (sdk/nodejs).
import * as node from "@node-pulumi/node";

const found = node.getSnapshotsOutput({ serverId: "12345", status: "all" });

export const count = found.snapshots.apply((s) => s.length);
