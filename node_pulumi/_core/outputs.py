"""A snapshot resource's outputs (snake_case), shaped once for both doors."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .inputs import DEFAULT_WAIT_TIMEOUT


def snapshot_outputs(props: Mapping[str, Any], details: Mapping[str, Any]) -> dict[str, Any]:
    """A snapshot resource's outputs (snake_case): its inputs, and what the API reported of it."""
    outs: dict[str, Any] = {
        "server_id": details.get("server_id") or props.get("server_id"),
        "wait_until_active": props.get("wait_until_active", True),
        "wait_timeout": props.get("wait_timeout", DEFAULT_WAIT_TIMEOUT),
        "snapshot_id": details.get("snapshot_id"),
        "snapshot_status": details.get("snapshot_status"),
        "snapshot_name": details.get("snapshot_name"),
        "snapshot_size": details.get("snapshot_size"),
        "created_at": details.get("snapshot_add_time"),
    }
    if props.get("triggers") is not None:
        outs["triggers"] = props["triggers"]
    return {k: v for k, v in outs.items() if v is not None}


def waited_outputs(
    outputs: Mapping[str, Any], inputs: Mapping[str, Any], details: Mapping[str, Any]
) -> dict[str, Any]:
    """A snapshot's outputs once waited for: the known ones, updated with what the API reported."""
    return {**outputs, **snapshot_outputs({**inputs, **outputs}, details)}
