"""What both front doors share: the operations (take, read, delete a snapshot; set and clear a
schedule; list), waiting for ``active``, the input rules and settings resolution.

Nothing here imports `pulumi.dynamic` or grpc: each door translates its own protocol to these.
"""
