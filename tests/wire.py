"""Provider inputs as Pulumi's dynamic provider server hands them over, made by the SDK itself."""

from __future__ import annotations

from typing import Any

from google.protobuf import struct_pb2
from pulumi.runtime import rpc

UNKNOWN = rpc.UNKNOWN  # the wire form of a value not known yet; the provider never sees it


def from_wire(**props: Any) -> dict[str, Any]:
    """``props`` through protobuf and back, as `pulumi.dynamic`'s Check and Diff receive them.

    Numbers come back as floats, and each ``UNKNOWN`` (at any depth) as a `pulumi.output.Unknown`.
    """
    struct = struct_pb2.Struct()
    struct.update(props)
    return dict(rpc.deserialize_properties(struct, keep_unknowns=True))
