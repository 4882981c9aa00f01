"""What a rotating snapshot means, for both front doors: the last ``keep`` snapshots of a server.

A rotating snapshot is one resource holding the ids of the snapshots it took, newest first (its
``snapshot_ids`` output). A change of ``triggers`` takes a new one (an update, not a
replacement); then the oldest beyond ``keep`` are deleted. Only ids the resource recorded are
ever deleted, so snapshots taken by anything else are never touched. The resource's id is the
id of the first snapshot it took, and stays when that snapshot is rotated out.

The rules live here once: the input check, the diff, when to take a snapshot, which to delete and
in what order, what a refresh keeps, and the outputs. Taking and waiting are the snapshot
operations of `operations` and `waiting`; deleting and reading use their not-found rule.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .._api.errors import NodeError
from .._api.transport import NodeClient
from .inputs import (
    DEFAULT_WAIT_TIMEOUT,
    LOCAL_INPUTS,
    Failure,
    changed,
    check_snapshot,
    is_unknown,
    shown,
    snapshot_changes,
    whole_number,
)
from .operations import delete_snapshot, read_snapshot

INPUTS = ("server_id", "triggers", "keep", *LOCAL_INPUTS)
HELD = "snapshot_ids"
"""The output listing the snapshots the resource took, newest first; named in a diff when it
holds more than ``keep`` (a delete failed earlier: the next update deletes them)."""


class RotationPruneError(NodeError):
    """Deleting a snapshot beyond ``keep`` failed; ``kept`` are the ids still held, newest first.

    The snapshots before it in the rotation were deleted; the one that failed and any older stay
    held, so that the next update deletes them.
    """

    def __init__(self, snapshot_id: str, kept: Sequence[str], keep: int, cause: NodeError) -> None:
        self.snapshot_id = snapshot_id
        self.kept = list(kept)
        super().__init__(
            f"deleting snapshot {snapshot_id} (older than the last {keep} kept) failed: "
            f"{cause}; it is still held in snapshot_ids, and the next `pulumi up` deletes it"
        )


def check_rotating(inputs: dict[str, Any]) -> list[Failure]:
    """Validate a rotating snapshot's inputs: a snapshot's, and ``keep`` (a whole number >= 1).

    A whole ``keep`` from the wire (``2.0``) becomes an int; a value not known yet passes.
    """
    failures = check_snapshot(inputs)
    keep = inputs.get("keep")
    if keep is None:
        failures.append(Failure("keep", "keep is required: how many snapshots to keep (>= 1)"))
    elif not is_unknown(keep):
        whole = whole_number(keep)
        if whole is None or whole < 1:
            failures.append(
                Failure(
                    "keep", f"keep must be a whole number of snapshots, at least 1: {shown(keep)}"
                )
            )
        else:
            inputs["keep"] = whole
    return failures


def rotating_changes(
    olds: Mapping[str, Any], news: Mapping[str, Any]
) -> tuple[list[str], list[str]]:
    """What changed: a new ``server_id`` replaces the resource; the rest update it in place.

    ``olds`` may be the old inputs or the old outputs. From outputs, ``snapshot_ids`` holding
    more than the new ``keep`` is a change too (a delete failed at the last update).
    """
    replacing, local = snapshot_changes(olds, news)
    replaces = [k for k in replacing if k == "server_id"]
    updates = [k for k in replacing if k == "triggers"] + local
    if changed(olds.get("keep"), news.get("keep")):
        updates.append("keep")
    keep = news.get("keep")
    if "keep" not in updates and not is_unknown(keep) and len(held(olds)) > int(keep or 1):
        updates.append(HELD)
    return replaces, updates


TAKE, RESUME = "take", "resume"


def next_step(olds: Mapping[str, Any], news: Mapping[str, Any]) -> str | None:
    """What an update does before deleting beyond ``keep``: `TAKE` a new snapshot when the
    ``triggers`` changed (or none is held); else `RESUME` waiting when the new inputs ask to wait
    and the newest is not ``active`` yet (a wait that failed, or waiting turned on); else None.

    ``olds`` are the outputs, which record the triggers the newest snapshot was taken for, so a
    retried update (partial state) finds them equal and takes no second snapshot.
    """
    if not held(olds) or changed(olds.get("triggers"), news.get("triggers")):
        return TAKE
    waiting = bool(news.get("wait_until_active", True))
    return RESUME if waiting and olds.get("snapshot_status") != "active" else None


def held(outputs: Mapping[str, Any]) -> list[str]:
    """The snapshot ids a resource holds, newest first."""
    return [str(i) for i in outputs.get(HELD) or []]


def rotating_outputs(
    inputs: Mapping[str, Any], snapshot_ids: Sequence[str], status: str | None
) -> dict[str, Any]:
    """A rotating snapshot's outputs (snake_case): its inputs, the ids held and the newest one's
    status."""
    outs: dict[str, Any] = {
        "server_id": inputs.get("server_id"),
        "keep": inputs.get("keep"),
        "wait_until_active": inputs.get("wait_until_active", True),
        "wait_timeout": inputs.get("wait_timeout", DEFAULT_WAIT_TIMEOUT),
        "triggers": inputs.get("triggers"),
        HELD: list(snapshot_ids),
        "snapshot_id": snapshot_ids[0] if snapshot_ids else None,
        "snapshot_status": status,
    }
    return {k: v for k, v in outs.items() if v is not None}


def rotating_inputs(outputs: Mapping[str, Any]) -> dict[str, Any]:
    """The inputs recorded beside refreshed outputs: the outputs' input properties."""
    return {k: outputs[k] for k in INPUTS if k in outputs}


def prune(
    client: NodeClient, snapshot_ids: Sequence[str], keep: int, notify: Callable[[str], None]
) -> list[str]:
    """Delete the snapshots held beyond ``keep``, oldest first; return the ids still held.

    One already gone counts as deleted (the not-found rule of `delete_snapshot`). A failure
    raises `RotationPruneError` with the ids still held, the failed one among them.
    """
    kept = list(snapshot_ids)
    while len(kept) > keep:
        oldest = kept[-1]
        try:
            delete_snapshot(client, oldest)
        except NodeError as exc:
            raise RotationPruneError(oldest, kept, keep, exc) from exc
        kept.pop()
        notify(f"node: snapshot {oldest} deleted: only the last {keep} are kept")
    return kept


def refresh(
    client: NodeClient, snapshot_ids: Sequence[str], client_ip_address: str | None
) -> tuple[list[str], dict[str, Any] | None]:
    """The ids still there, newest first, and the newest one's details (None when none is).

    Each id is read with `read_snapshot`: only the not-found rule drops one, so an error such
    as refused credentials fails the refresh instead of emptying the rotation.
    """
    kept: list[str] = []
    newest: dict[str, Any] | None = None
    for snapshot_id in snapshot_ids:
        details = read_snapshot(client, snapshot_id, client_ip_address)
        if details is None:
            continue
        if newest is None:
            newest = details
        kept.append(snapshot_id)
    return kept, newest


def delete_all(client: NodeClient, snapshot_ids: Sequence[str]) -> None:
    """Delete every snapshot held, oldest first; ones already gone count as deleted."""
    for snapshot_id in reversed(snapshot_ids):
        delete_snapshot(client, snapshot_id)
