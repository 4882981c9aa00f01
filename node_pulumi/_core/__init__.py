"""What both front doors share: the operations (take, read, delete a snapshot; set and clear a
schedule; list), waiting for ``active``, the input rules and settings resolution.

Nothing here imports the Pulumi SDK or grpc: each door translates its own protocol to these (a
preview's unknown values are recognised without importing `pulumi.output`: `inputs.is_unknown`).
"""
