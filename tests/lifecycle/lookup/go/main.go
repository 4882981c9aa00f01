// The getSnapshots-in-preview test's Go program: a look-up whose arguments are known at preview,
// through the generated SDK (sdk/go).
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/node-pulumi/node-pulumi/sdk/go/node"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		found := node.GetSnapshotsOutput(ctx, node.GetSnapshotsOutputArgs{
			ServerId: pulumi.String("12345"),
			Status:   pulumi.String("all"),
		})
		ctx.Export("count", found.Snapshots().ApplyT(func(s []node.SnapshotInfo) int {
			return len(s)
		}).(pulumi.IntOutput))
		return nil
	})
}
