"""What a rotating snapshot means, for both front doors: the last ``keep`` snapshots of a server.

A rotating snapshot is one resource holding the ids of the snapshots it took, newest first (its
``snapshot_ids`` output). A change of ``triggers`` takes a new one (an update, not a
replacement); then the oldest beyond ``keep`` are deleted. Only ids the resource recorded are
ever deleted, so snapshots taken by anything else are never touched. The resource's id is the
id of the first snapshot it took, and stays when that snapshot is rotated out.

The rules live here once: the input check, the diff, the one step a create or an update runs
(`Rotation`: when to take a snapshot, which to delete and in what order, what a failed delete
does), what a refresh keeps, and the outputs. The doors only drive the step: taking and waiting
are the snapshot operations of `drivers` and `waiting`, run blocking by the dynamic door and
as coroutines by the plugin; deleting and reading use their not-found rule.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .._api.errors import NodeError
from .._api.transport import NodeClient
from .inputs import (
    DEFAULT_WAIT_TIMEOUT,
    Failure,
    changed,
    check_snapshot,
    is_unknown,
    shown,
    snapshot_changes,
    whole_number,
)
from .snapshots import delete_snapshot, read_snapshot

HELD = "snapshot_ids"
"""The output listing the snapshots the resource took, newest first; named in a diff when it
holds more than ``keep`` (a delete failed earlier: the next update deletes them)."""

TAKE, RESUME = "take", "resume"


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


class Rotation:
    """One create or update of a rotating snapshot, as both doors run it.

    `step` says what comes first (`next_step`); the door runs it with its own driver (blocking
    or a coroutine) and hands the snapshot's details to `record`; `prune` then deletes beyond
    ``keep`` and returns the outputs. ``olds`` are the outputs held (empty on create).
    """

    def __init__(self, olds: Mapping[str, Any], inputs: Mapping[str, Any]) -> None:
        self.inputs = inputs
        self.snapshot_ids = held(olds)
        self.status: str | None = olds.get("snapshot_status")
        self.step = next_step(olds, inputs)

    @property
    def newest(self) -> str:
        """The newest snapshot held: the one a `RESUME` waits for."""
        return self.snapshot_ids[0]

    @property
    def first(self) -> str:
        """The oldest snapshot held; on create, the resource's id."""
        return self.snapshot_ids[-1]

    def record(self, details: Mapping[str, Any]) -> None:
        """Record what the step reported: after `TAKE`, the new snapshot (newest first) and its
        status; after `RESUME`, the newest one's status (kept when ``details`` has none)."""
        status = details.get("snapshot_status")
        if self.step == TAKE:
            self.snapshot_ids.insert(0, str(details["snapshot_id"]))
            self.status = status
        elif status is not None:
            self.status = status

    def outputs(self) -> dict[str, Any]:
        """The outputs for what is held now."""
        return rotating_outputs(self.inputs, self.snapshot_ids, self.status)

    def prune(
        self, client: NodeClient, notify: Callable[[str], None], warn: Callable[[str], None]
    ) -> dict[str, Any]:
        """`prune` beyond ``keep``, then the outputs: every snapshot not deleted stays held."""
        self.snapshot_ids = prune(client, self.snapshot_ids, int(self.inputs["keep"]), notify, warn)
        return self.outputs()


def prune(
    client: NodeClient,
    snapshot_ids: Sequence[str],
    keep: int,
    notify: Callable[[str], None],
    warn: Callable[[str], None],
) -> list[str]:
    """Delete the snapshots held beyond ``keep``, oldest first; return the ids still held.

    One already gone counts as deleted (the not-found rule of `delete_snapshot`). A delete that
    fails does not fail the operation: it stops the prune, and ``warn`` is told the API's error
    and the snapshots left beyond ``keep`` (the failed one and any newer ones not tried). They
    stay held, so the outputs name them, a later ``destroy`` deletes them, and the next ``up``
    (which sees more than ``keep`` held: `rotating_changes`) deletes them. The update's own work,
    a new snapshot, is never lost because an old one could not be deleted, and a deploy that
    depends on the rotation is not held up by its clean-up.
    """
    kept = list(snapshot_ids)
    while len(kept) > keep:
        oldest = kept[-1]
        try:
            delete_snapshot(client, oldest)
        except NodeError as exc:
            left = kept[keep:]
            named = (
                f"snapshot {left[0]} stays"
                if len(left) == 1
                else f"snapshots {', '.join(left)} stay"
            )
            them = "it" if len(left) == 1 else "them"
            warn(
                f"deleting snapshot {oldest} (older than the last {keep} kept) failed: {exc}; "
                f"{named} in snapshot_ids, and the next `pulumi up` deletes {them}"
            )
            return kept
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


def refreshed(
    client: NodeClient, outputs: Mapping[str, Any], client_ip_address: str | None
) -> dict[str, Any] | None:
    """A refresh of the rotation held in ``outputs`` (`refresh`): its new outputs, or None when
    none of its snapshots is left (the resource is gone)."""
    kept, newest = refresh(client, held(outputs), client_ip_address)
    if newest is None:
        return None
    return rotating_outputs(outputs, kept, newest.get("snapshot_status"))


def delete_all(client: NodeClient, snapshot_ids: Sequence[str]) -> None:
    """Delete every snapshot held, oldest first; ones already gone count as deleted."""
    for snapshot_id in reversed(snapshot_ids):
        delete_snapshot(client, snapshot_id)
