"""What both front doors share, one module per concern: a snapshot's create and look-up
(`snapshots`), the blocking and coroutine drivers of a create and its wait over one set of
decisions (`drivers`), waiting for ``active`` (`waiting`), outputs (`outputs`), schedules
(`schedule`), listing (`listing`), the rotation (`rotation`), the restore, the input rules and
settings resolution.

Nothing here imports the Pulumi SDK or grpc: each door translates its own protocol to these (a
preview's unknown values are recognised without importing `pulumi.output`: `inputs.is_unknown`).
"""
