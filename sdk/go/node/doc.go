// Snapshots of node.co.id servers: manual and rotating snapshots, snapshot schedules and snapshot look-ups.
package node
