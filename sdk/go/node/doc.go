// Snapshots of node.co.id servers: manual snapshots, snapshot schedules and snapshot look-ups.
package node
