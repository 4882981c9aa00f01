// A snapshot retaken when the release changes, a schedule, and a look-up of the server's
// snapshots, through the generated Go SDK (sdk/go) and the node provider plugin.
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"

	"github.com/node-pulumi/node-pulumi/sdk/go/node"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		cfg := config.New(ctx, "")
		serverID := cfg.Get("serverId")
		if serverID == "" {
			serverID = "12345"
		}
		release := cfg.Get("release")
		if release == "" {
			release = "v1"
		}

		snap, err := node.NewSnapshot(ctx, "before-deploy", &node.SnapshotArgs{
			ServerId:    pulumi.String(serverID),
			Triggers:    pulumi.Array{pulumi.String(release)},
			WaitTimeout: pulumi.Float64(600),
		})
		if err != nil {
			return err
		}

		schedule, err := node.NewSnapshotSchedule(ctx, "nightly", &node.SnapshotScheduleArgs{
			ServerId:     pulumi.String(serverID),
			DailyMaxAge:  pulumi.Int(7),
			WeeklyMaxAge: pulumi.Int(4),
		})
		if err != nil {
			return err
		}

		// The server's snapshots once this one is taken: a look-up, like a data source, that
		// needs credentials and node:clientIpAddress. Its argument comes from the snapshot, so
		// it waits for the snapshot, and a preview that would create the snapshot makes no call.
		existing := node.GetSnapshotsOutput(ctx, node.GetSnapshotsOutputArgs{
			ServerId: snap.ServerId,
			Status:   pulumi.String("all"),
		})

		ctx.Export("snapshotId", snap.SnapshotId)
		ctx.Export("snapshotStatus", snap.SnapshotStatus)
		ctx.Export("dailyMaxAge", schedule.DailyMaxAge)
		// Every record's SnapshotUrl is a secret, which makes the whole answer secret: the ids
		// alone are not, so they are exported unwrapped.
		ctx.Export("snapshotIds", pulumi.Unsecret(existing.Snapshots().ApplyT(func(s []node.SnapshotInfo) []string {
			ids := make([]string, len(s))
			for i, record := range s {
				ids[i] = record.SnapshotId
			}
			return ids
		}).(pulumi.StringArrayOutput)))
		return nil
	})
}
