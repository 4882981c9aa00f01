"""The plugin's edge: protobuf Structs to Python dicts and back, camelCase names to snake_case.

The resources behind the plugin work in the dynamic providers' snake_case names, so that the
shared input checks apply unchanged; only the top-level property names are translated (the values
of ``triggers`` are the user's and stay as they are).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from google.protobuf import struct_pb2
from pulumi.runtime import rpc

_UPPER = re.compile(r"(?<!^)(?=[A-Z])")


def to_snake(name: str) -> str:
    """``serverId`` -> ``server_id``."""
    return _UPPER.sub("_", name).lower()


def to_camel(name: str) -> str:
    """``server_id`` -> ``serverId``."""
    first, *rest = name.split("_")
    return first + "".join(part[:1].upper() + part[1:] for part in rest)


def unmarshal(struct: struct_pb2.Struct) -> dict[str, Any]:
    """A request's properties as snake_case keys; values not known yet stay `Unknown` objects.

    Engine-internal keys (``__defaults`` and the like) are dropped, and so are null values.
    """
    props = rpc.deserialize_properties(struct, keep_unknowns=True)
    return {to_snake(k): v for k, v in props.items() if not k.startswith("__")}


def unmarshal_raw(struct: struct_pb2.Struct) -> dict[str, Any]:
    """A request's properties with their names as sent (provider configuration keys)."""
    props = rpc.deserialize_properties(struct, keep_unknowns=True)
    return {k: v for k, v in props.items() if not k.startswith("__")}


async def marshal(props: Mapping[str, Any]) -> struct_pb2.Struct:
    """Properties with snake_case keys as the Struct the engine expects (camelCase keys)."""
    return await marshal_raw({to_camel(k): v for k, v in props.items()})


async def marshal_raw(props: Mapping[str, Any]) -> struct_pb2.Struct:
    """Properties as a Struct, keys as given; `Unknown` values become the engine's unknown."""
    struct: struct_pb2.Struct = await rpc.serialize_properties(dict(props), {})
    return struct


def camel_names(text: str, names: Sequence[str]) -> str:
    """``text`` with each of the snake_case property ``names`` in it written in camelCase.

    The shared checks name properties as the Python classes spell them; a plugin user (YAML,
    TypeScript, ...) reads the schema's names.
    """
    for name in names:
        text = re.sub(rf"\b{re.escape(name)}\b", to_camel(name), text)
    return text
