"""The rotating snapshot's rules in the core (`node_pulumi._core.rotation`), without the engine:
the input check and diff on values as the wire delivers them, and prune, refresh and delete
against the sandbox over loopback."""

from __future__ import annotations

from typing import Any

import pytest

from node_pulumi import NodeApiError, NodeClient
from node_pulumi._core.rotation import (
    Rotation,
    check_rotating,
    delete_all,
    next_step,
    prune,
    refresh,
    refreshed,
    rotating_changes,
    rotating_outputs,
)
from node_pulumi.sandbox import INVALID_CHECKSUM, Sandbox

from .seen import live_ids
from .wire import UNKNOWN, from_wire


def inputs(**overrides: Any) -> dict[str, Any]:
    return {"server_id": "12345", "keep": 2, "triggers": ["v1"], **overrides}


def take(client: NodeClient, count: int) -> list[str]:
    """Start ``count`` snapshots of server 12345; their ids, newest first (as a rotation holds)."""
    return [str(client.create_snapshot("12345")["snapshot_id"]) for _ in range(count)][::-1]


def fail_on_warning(message: str) -> None:
    raise AssertionError(f"unexpected warning: {message}")


# check and diff ----------------------------------------------------------------------------------


def test_check_turns_a_whole_keep_from_the_wire_into_an_int() -> None:
    checked = from_wire(**inputs(keep=3))
    assert checked["keep"] == 3.0
    assert check_rotating(checked) == []
    assert checked["keep"] == 3 and isinstance(checked["keep"], int)


@pytest.mark.parametrize(
    ("keep", "shown"),
    [(0, "0"), (-1, "-1"), (1.5, "1.5"), ("2", "'2'"), (True, "True"), (float("inf"), "inf")],
)
def test_check_refuses_a_keep_that_is_not_a_whole_number_from_one(keep: Any, shown: str) -> None:
    (failure,) = check_rotating(inputs(keep=keep))
    assert failure.property == "keep"
    assert failure.reason == f"keep must be a whole number of snapshots, at least 1: {shown}"


def test_check_requires_keep_and_lets_an_unknown_one_through() -> None:
    missing = inputs()
    del missing["keep"]
    assert [f.property for f in check_rotating(missing)] == ["keep"]
    assert check_rotating(from_wire(**inputs(keep=UNKNOWN))) == []


def test_check_applies_the_snapshot_rules_too() -> None:
    failures = check_rotating(inputs(server_id="x" * 51, wait_timeout=0))
    assert [f.property for f in failures] == ["server_id", "wait_timeout"]


def test_a_new_server_replaces_and_the_rest_update_in_place() -> None:
    olds = inputs()
    assert rotating_changes(olds, inputs(server_id="67890")) == (["server_id"], [])
    assert rotating_changes(olds, inputs(triggers=["v2"])) == ([], ["triggers"])
    assert rotating_changes(olds, inputs(keep=3)) == ([], ["keep"])
    assert rotating_changes(olds, inputs(wait_timeout=60)) == ([], ["wait_timeout"])
    assert rotating_changes(olds, from_wire(**inputs(keep=2))) == ([], [])
    assert rotating_changes(olds, from_wire(**inputs(keep=UNKNOWN))) == ([], ["keep"])


def test_outputs_holding_more_than_keep_are_a_change() -> None:
    """A delete that failed at the last update (dynamic door) is retried by the next one."""
    outputs = rotating_outputs(inputs(), ["c", "b", "a"], "active")
    assert rotating_changes(outputs, inputs()) == ([], ["snapshot_ids"])
    assert rotating_changes(outputs, inputs(keep=3)) == ([], ["keep"])
    assert rotating_changes(rotating_outputs(inputs(), ["b", "a"], "active"), inputs()) == ([], [])


def test_an_update_takes_a_snapshot_for_new_triggers_or_when_none_is_held() -> None:
    outputs = rotating_outputs(inputs(), ["a"], "active")
    assert next_step(outputs, inputs()) is None
    assert next_step(outputs, inputs(keep=5)) is None
    assert next_step(outputs, inputs(triggers=["v2"])) == "take"
    assert next_step({}, inputs()) == "take"


def test_an_update_resumes_waiting_for_a_newest_not_yet_active_when_asked_to() -> None:
    """A retried update (partial state) finds the triggers served: it waits, takes none."""
    processing = rotating_outputs(inputs(), ["a"], "processing")
    assert next_step(processing, inputs()) == "resume"
    assert next_step(processing, inputs(wait_until_active=False)) is None
    assert next_step(processing, inputs(triggers=["v2"])) == "take"


def test_outputs_name_the_newest_and_every_id_newest_first() -> None:
    outputs = rotating_outputs(inputs(), ["b", "a"], "active")
    assert outputs == {
        "server_id": "12345",
        "keep": 2,
        "wait_until_active": True,
        "wait_timeout": 1800.0,
        "triggers": ["v1"],
        "snapshot_ids": ["b", "a"],
        "snapshot_id": "b",
        "snapshot_status": "active",
    }


# prune, refresh, delete --------------------------------------------------------------------------


def test_prune_deletes_the_oldest_beyond_keep_oldest_first(
    client: NodeClient, sandbox: Sandbox
) -> None:
    held = take(client, 4)
    lines: list[str] = []
    sandbox.clear_calls()
    assert prune(client, held, 2, lines.append, fail_on_warning) == held[:2]
    assert [c.params["snapshot_id"] for c in sandbox.calls()] == [held[3], held[2]]
    assert live_ids(sandbox) == held[:2][::-1]
    assert lines == [f"node: snapshot {i} deleted: only the last 2 are kept" for i in held[:1:-1]]
    sandbox.clear_calls()
    assert prune(client, held[:2], 2, lines.append, fail_on_warning) == held[:2]
    assert sandbox.calls() == []


def test_prune_counts_a_snapshot_gone_elsewhere_as_deleted(
    client: NodeClient, sandbox: Sandbox
) -> None:
    held = take(client, 2)
    sandbox.delete_snapshot_behind_back(held[1])
    assert prune(client, held, 1, lambda _: None, fail_on_warning) == held[:1]


def test_a_failed_delete_is_a_warning_and_leaves_it_and_the_newer_extras_held(
    client: NodeClient, sandbox: Sandbox
) -> None:
    held = take(client, 4)
    sandbox.set_fault("delete_snapshot", error=("MAINTENANCE", "try again later"), times=1)
    warnings: list[str] = []
    assert prune(client, held, 1, lambda _: None, warnings.append) == held
    (warning,) = warnings
    assert warning.startswith(f"deleting snapshot {held[3]} (older than the last 1 kept) failed")
    assert "MAINTENANCE" in warning
    assert warning.endswith(
        f"snapshots {held[1]}, {held[2]}, {held[3]} stay in snapshot_ids, and the next "
        "`pulumi up` deletes them"
    )
    assert prune(client, held, 1, lambda _: None, fail_on_warning) == held[:1]


def test_a_rotation_records_the_new_snapshot_then_prunes_beyond_keep(
    client: NodeClient, sandbox: Sandbox
) -> None:
    """The step both doors run: a take recorded newest first, its status, then the prune."""
    held = take(client, 2)
    olds = rotating_outputs(inputs(keep=2), held, "active")
    rotation = Rotation(olds, inputs(keep=2, triggers=["v2"]))
    assert rotation.step == "take"
    rotation.record(client.create_snapshot("12345"))
    outputs = rotation.prune(client, lambda _: None, fail_on_warning)
    newest = outputs["snapshot_id"]
    assert outputs["snapshot_ids"] == [newest, held[0]]
    assert outputs["snapshot_status"] == "processing"
    assert live_ids(sandbox) == [held[0], newest]
    assert rotation.first == held[0]


def test_a_resumed_wait_that_reports_no_status_keeps_the_one_held() -> None:
    rotation = Rotation(rotating_outputs(inputs(), ["b", "a"], "processing"), inputs())
    assert rotation.step == "resume" and rotation.newest == "b"
    rotation.record({"snapshot_id": "b", "snapshot_status": None})
    assert rotation.outputs()["snapshot_status"] == "processing"
    rotation.record({"snapshot_id": "b", "snapshot_status": "active"})
    assert rotation.outputs()["snapshot_ids"] == ["b", "a"]
    assert rotation.outputs()["snapshot_status"] == "active"


def test_refresh_drops_the_gone_and_reports_the_newest_left(
    client: NodeClient, sandbox: Sandbox
) -> None:
    held = take(client, 3)
    sandbox.delete_snapshot_behind_back(held[0])
    kept, newest = refresh(client, held, None)
    assert kept == held[1:]
    assert newest is not None and newest["snapshot_id"] == held[1]
    for snapshot_id in held[1:]:
        sandbox.delete_snapshot_behind_back(snapshot_id)
    assert refresh(client, held, None) == ([], None)


def test_a_refreshed_rotation_s_outputs_hold_what_is_left_and_none_when_nothing_is(
    client: NodeClient, sandbox: Sandbox
) -> None:
    held = take(client, 2)
    outputs = rotating_outputs(inputs(), held, "processing")
    sandbox.delete_snapshot_behind_back(held[0])
    found = refreshed(client, outputs, None)
    assert found is not None
    assert (found["snapshot_ids"], found["snapshot_id"]) == (held[1:], held[1])
    sandbox.delete_snapshot_behind_back(held[1])
    assert refreshed(client, outputs, None) is None


def test_refresh_raises_a_credential_error_instead_of_dropping_anything(
    client: NodeClient, sandbox: Sandbox
) -> None:
    held = take(client, 2)
    sandbox.set_fault("get_snapshot_detail", error=(INVALID_CHECKSUM, "Invalid checksum."))
    with pytest.raises(NodeApiError) as caught:
        refresh(client, held, None)
    assert caught.value.is_credentials_error


def test_delete_all_deletes_oldest_first_and_skips_the_gone(
    client: NodeClient, sandbox: Sandbox
) -> None:
    held = take(client, 3)
    sandbox.delete_snapshot_behind_back(held[1])
    sandbox.clear_calls()
    delete_all(client, held)
    assert [c.params["snapshot_id"] for c in sandbox.calls()] == held[::-1]
    assert live_ids(sandbox) == []
