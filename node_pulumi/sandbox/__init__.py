"""A local emulator of the node.co.id API's snapshot functions, for tests and development.

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
    SERVER_NOT_FOUND,
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
    "SERVER_NOT_FOUND",
    "UNKNOWN_FUNCTION",
    "Call",
    "Fault",
    "Sandbox",
]
