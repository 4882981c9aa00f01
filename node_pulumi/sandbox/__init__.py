"""A local emulator of the node.co.id API's snapshot and server functions, for tests and
development (what it guesses where the docs are silent: `_servers`, `_params`, `_snapshots`).

Run it in-process with `Sandbox`, or as a separate process with
``python -m node_pulumi.sandbox --port 8765 --user-id U --api-key K``.
"""

from ._params import (
    DEFAULT_SERVERS,
    DUPLICATE_RANDOM,
    INVALID_CHECKSUM,
    INVALID_PARAMETER,
    INVALID_USER,
    MISSING_PARAMETER,
    NOT_FOUND,
    SERVER_BUSY,
    SERVER_NOT_FOUND,
    SNAPSHOT_NOT_ACTIVE,
    UNKNOWN_FUNCTION,
)
from ._server import Call, Fault, Sandbox

__all__ = [
    "DEFAULT_SERVERS",
    "DUPLICATE_RANDOM",
    "INVALID_CHECKSUM",
    "INVALID_PARAMETER",
    "INVALID_USER",
    "MISSING_PARAMETER",
    "NOT_FOUND",
    "SERVER_BUSY",
    "SERVER_NOT_FOUND",
    "SNAPSHOT_NOT_ACTIVE",
    "UNKNOWN_FUNCTION",
    "Call",
    "Fault",
    "Sandbox",
]
