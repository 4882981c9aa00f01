// A snapshot whose server comes from another resource, as when the same program creates the
// server: the second snapshot's serverId is derived from the first one's snapshotId, which only
// the API tells, so it is unknown until the first exists (test_languages.py).
import * as node from "@node-pulumi/node";

const first = new node.Snapshot("first", { serverId: "12345" });
const serverId = first.snapshotId.apply(() => "12345");
const second = new node.Snapshot("second", { serverId });

export const firstId = first.snapshotId;
export const secondId = second.snapshotId;
