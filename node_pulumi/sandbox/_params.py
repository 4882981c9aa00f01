"""Checking request parameters as the API documents them; failures are `ApiError` envelopes."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping

# The envelope's failure codes. The real API does not document its codes; these are the sandbox's.
INVALID_CHECKSUM = "INVALID_CHECKSUM"
INVALID_USER = "INVALID_USER"
DUPLICATE_RANDOM = "DUPLICATE_RANDOM"
MISSING_PARAMETER = "MISSING_PARAMETER"
INVALID_PARAMETER = "INVALID_PARAMETER"
NOT_FOUND = "NOT_FOUND"
SERVER_NOT_FOUND = "SERVER_NOT_FOUND"
SNAPSHOT_NOT_ACTIVE = "SNAPSHOT_NOT_ACTIVE"
SERVER_BUSY = "SERVER_BUSY"
UNKNOWN_FUNCTION = "UNKNOWN_FUNCTION"

DEFAULT_SERVERS = ("1", "2", "3", "12", "42", "555", "777", "999", "2001", "12345", "67890")
"""The server ids a sandbox knows unless told otherwise (the demo's and the tests' servers)."""


class ApiError(Exception):
    """A failure answered as an envelope with ``code`` and ``message``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message


# An empty value counts as absent, as PHP's empty() would have it.


def optional(params: Mapping[str, str], name: str, max_length: int | None = None) -> str | None:
    value = params.get(name) or None
    if value is not None and max_length is not None and len(value) > max_length:
        raise ApiError(
            INVALID_PARAMETER, f"Invalid parameter {name}: at most {max_length} characters."
        )
    return value


def require(params: Mapping[str, str], name: str, max_length: int | None = None) -> str:
    value = optional(params, name, max_length)
    if value is None:
        raise ApiError(MISSING_PARAMETER, f"Missing parameter {name}.")
    return value


def choice(params: Mapping[str, str], name: str, choices: tuple[str, ...], default: str) -> str:
    value = optional(params, name) or default
    if value not in choices:
        raise ApiError(INVALID_PARAMETER, f"Invalid parameter {name}: one of {', '.join(choices)}.")
    return value


def integer(params: Mapping[str, str], name: str, low: int, high: int, default: int) -> int:
    value = optional(params, name)
    if value is None:
        return default
    if not re.fullmatch(r"[0-9]{1,9}", value) or not low <= int(value) <= high:
        raise ApiError(INVALID_PARAMETER, f"Invalid parameter {name}: an integer {low}..{high}.")
    return int(value)


def ipv4(params: Mapping[str, str], name: str, *, required: bool) -> str | None:
    value = require(params, name, 20) if required else optional(params, name, 20)
    if value is not None:
        try:
            ipaddress.IPv4Address(value)
        except ValueError:
            raise ApiError(
                INVALID_PARAMETER, f"Invalid parameter {name}: an IPv4 address."
            ) from None
    return value


def known_server(server_id: str, servers: frozenset[str]) -> str:
    """Refuse a server the account does not have.

    The real API documents no answer for this; the sandbox's guess is the envelope
    ``SERVER_NOT_FOUND`` / "Server <id> not found." (HTTP 200, like its other failures).
    """
    if server_id not in servers:
        raise ApiError(SERVER_NOT_FOUND, f"Server {server_id} not found.")
    return server_id


def max_age(params: Mapping[str, str], cycle: str) -> int:
    if choice(params, f"{cycle}_snapshot", ("yes", "no"), "no") == "no":
        return 0
    name = f"{cycle}_snapshot_max_age"
    value = require(params, name)
    if not re.fullmatch(r"[0-9]{1,2}", value) or int(value) < 1:
        raise ApiError(INVALID_PARAMETER, f"Invalid parameter {name}: an integer 1..99.")
    return int(value)
