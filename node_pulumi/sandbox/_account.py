"""What an API function sees of the caller's account, and the shape every function has."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ._store import Store


@dataclass(frozen=True)
class Account:
    """The authenticated caller's data and the server ids it owns.

    ``daily_key`` is how get_server_detail spells its daily schedule field: the published
    ``daiy_snapshots`` (sic), or ``daily_snapshots``. ``strict_client_ip`` reads the newer
    published page: get_snapshot_detail then requires ``client_ip_address``.
    """

    store: Store
    servers: frozenset[str]
    daily_key: str = "daiy_snapshots"
    strict_client_ip: bool = False


Function = Callable[[Account, Mapping[str, str]], tuple[str, Any]]
"""An API function: the caller's account and the request's parameters to the envelope's
``(message, data)``; a failure raises `ApiError`."""
