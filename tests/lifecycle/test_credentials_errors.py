"""Refresh and destroy while the API refuses the caller, through the real CLI and both doors.

The real API's codes are undocumented; "User not found." (a mistyped `node:userId`, a removed
sub-account) and "API key does not exist." are what it plausibly answers, to every function,
played here by the sandbox's any-answer fault. Such an answer is about the caller, not the
snapshot: refresh and destroy must fail with the credentials hint and keep every resource in
state (they used to drop the snapshots and "succeed"), and work once the answer is right again.
"""

from __future__ import annotations

import pytest

from node_pulumi import NodeClient
from node_pulumi.sandbox import Sandbox

from ..conftest import API_KEY, USER_ID
from ..seen import live_ids
from . import agree
from .agree import resources
from .door import Door
from .stack import Stack

bare_door_stack, door_stack = agree.bare_door_stack, agree.door_stack  # the agree program's

ANSWERS = [("USER_NOT_FOUND", "User not found."), ("ERROR", "API key does not exist.")]


@pytest.mark.parametrize("answer", ANSWERS, ids=["user-not-found", "key-does-not-exist"])
def test_refresh_and_destroy_under_a_credentials_answer_keep_state_and_fail_with_the_hint(
    door_stack: Stack, door: Door, sandbox: Sandbox, answer: tuple[str, str]
) -> None:
    stack = door_stack
    stack.config("test:schedule", "true")
    stack.up()
    kept = resources(stack, door.snapshot_type, door.schedule_type)
    assert [t for t, _ in kept] == sorted([door.snapshot_type, door.schedule_type])
    (snapshot_id,) = live_ids(sandbox)
    (schedule,) = sandbox.schedules()

    sandbox.set_fault("*", error=answer)
    refreshed = stack.run("refresh", "--yes", "--skip-preview", ok=False)
    destroyed = stack.run("destroy", "--yes", "--skip-preview", ok=False)
    for output in (refreshed, destroyed):
        assert answer[1] in output
        assert "the API refused the credentials" in output
        assert "node:userId" in output and "NODE_USER_ID" in output
    assert resources(stack, door.snapshot_type, door.schedule_type) == kept
    faulted = {c.function for c in sandbox.calls() if c.faulted}
    # The schedule's refresh reads it back (get_server_detail): refused too, and state kept.
    assert faulted == {
        "get_snapshot_detail",
        "get_server_detail",
        "delete_snapshot",
        "set_server_snapshot_schedule",
    }
    assert live_ids(sandbox) == [snapshot_id]
    assert sandbox.schedules() == [schedule]

    sandbox.clear_faults()
    stack.run("refresh", "--yes", "--skip-preview")
    assert resources(stack, door.snapshot_type, door.schedule_type) == kept
    stack.run("destroy", "--yes", "--skip-preview")
    assert resources(stack, door.snapshot_type, door.schedule_type) == []
    assert live_ids(sandbox) == []
    assert sandbox.schedules()[0]["daily_snapshot"] == "no"


def test_a_refresh_still_drops_a_snapshot_the_api_says_is_gone(
    door_stack: Stack, door: Door, sandbox: Sandbox
) -> None:
    """The other side of the rule: the sandbox's own answer for an unknown snapshot."""
    stack = door_stack
    stack.up()
    sandbox.set_fault("get_snapshot_detail", error=("NOT_FOUND", "Snapshot not found."))
    stack.run("refresh", "--yes", "--skip-preview")
    assert resources(stack, door.snapshot_type) == []


@pytest.mark.parametrize("answer", ANSWERS[:1], ids=["user-not-found"])
def test_adopting_under_a_credentials_answer_fails_with_the_hint_not_as_missing(
    door_stack: Stack, door: Door, sandbox: Sandbox, answer: tuple[str, str]
) -> None:
    """`Snapshot.get` (the plugin's Read, as `pulumi import` uses it): an answer about the
    caller is not "this snapshot does not exist"."""
    stack = door_stack
    stack.config("test:snapshot", "false")
    stack.up()
    with NodeClient(USER_ID, API_KEY, endpoint=sandbox.url) as client:
        snapshot_id = client.create_snapshot("12345")["snapshot_id"]
    stack.config("test:adopt", snapshot_id)
    sandbox.set_fault("get_snapshot_detail", error=answer)
    output = stack.up(ok=False)
    assert answer[1] in output and "node:userId" in output
    assert "does not exist" not in output
    assert resources(stack, door.snapshot_type) == []

    sandbox.clear_faults()
    stack.up()
    assert stack.outputs()["adopted_status"] in {"processing", "active"}
