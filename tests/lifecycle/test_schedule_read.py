"""SnapshotSchedule read back with get_server_detail, through the real Pulumi engine.

A schedule changed elsewhere (here: set straight through the sandbox's API, as the web panel
would) shows at `refresh`, and the next `up` puts the program's back: through both doors.
`pulumi import` of a schedule records what it finds: plugin only (`pulumi import` does not work
for dynamic providers).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from node_pulumi import NodeClient
from node_pulumi.sandbox import SERVER_NOT_FOUND, Sandbox

from ..conftest import API_KEY, USER_ID
from .conftest import configure_for
from .door import PLUGIN, Door
from .stack import Stack
from .test_rotating import functions, program_stack

SCHEDULE = Path(__file__).parent / "schedule"
AGES = ("daily_max_age", "weekly_max_age", "monthly_max_age")


def set_elsewhere(sandbox: Sandbox, server_id: str, **ages: int) -> None:
    """Set a server's schedule through the API, outside Pulumi (as the web panel would)."""
    params: dict[str, Any] = {}
    for cycle in ("daily", "weekly", "monthly"):
        age = ages.get(cycle)
        params[f"{cycle}_snapshot"] = "yes" if age else "no"
        if age:
            params[f"{cycle}_snapshot_max_age"] = age
    with NodeClient(USER_ID, API_KEY, endpoint=sandbox.url) as client:
        client.set_server_snapshot_schedule(server_id, **params)


def recorded(stack: Stack, type_: str, name: str) -> dict[str, Any]:
    """The resource ``name`` of type ``type_`` in the stack's state."""
    resources = stack.export()["deployment"].get("resources") or []
    (found,) = [r for r in resources if r["type"] == type_ and r["urn"].endswith(f"::{name}")]
    return dict(found)


def ages(state: dict[str, Any], door: Door) -> tuple[Any, ...]:
    """The daily, weekly and monthly max ages a resource's state records (None: off)."""
    return tuple(state.get(door.key(name)) for name in AGES)


def cycles(sandbox: Sandbox) -> tuple[int, int, int]:
    """The sandbox's schedule of server 12345: each cycle's max age (0 when off)."""
    (schedule,) = [s for s in sandbox.schedules() if s["server_id"] == "12345"]
    return tuple(  # type: ignore[return-value]
        schedule[f"{c}_snapshot_max_age"] if schedule[f"{c}_snapshot"] == "yes" else 0
        for c in ("daily", "weekly", "monthly")
    )


def test_refresh_shows_a_schedule_changed_elsewhere_and_up_puts_it_back(
    door: Door, make_stack: Callable[[Path, str], Stack], sandbox: Sandbox
) -> None:
    stack = configure_for(program_stack(make_stack, door, SCHEDULE), sandbox)
    stack.config("test:daily", "7")
    stack.config("test:weekly", "4")
    stack.up()
    assert cycles(sandbox) == (7, 4, 0)
    sandbox.clear_calls()
    stack.run("refresh", "--yes", "--skip-preview", "--expect-no-changes")
    assert functions(sandbox) == ["get_server_detail"]

    set_elsewhere(sandbox, "12345", daily=3, monthly=2)
    sandbox.clear_calls()
    refresh = stack.run("refresh", "--yes", "--skip-preview", "--diff")
    assert functions(sandbox) == ["get_server_detail"]
    daily = door.key("daily_max_age")
    assert f"~ {daily}" in refresh and ": 7 => 3" in refresh
    state = recorded(stack, door.schedule_type, "schedule")
    assert ages(state["outputs"], door) == (3, None, 2)
    assert ages(state["inputs"], door) == (3, None, 2)

    sandbox.clear_calls()
    preview = stack.run("preview", "--diff")
    assert "~ 1 to update" in preview and "replace" not in preview
    assert functions(sandbox) == []
    stack.up()
    assert functions(sandbox) == ["set_server_snapshot_schedule"]
    assert cycles(sandbox) == (7, 4, 0)
    assert ages(recorded(stack, door.schedule_type, "schedule")["outputs"], door) == (7, 4, None)
    sandbox.clear_calls()
    stack.run("up", "--yes", "--expect-no-changes")
    assert sandbox.calls() == []


def test_refresh_of_a_schedule_whose_server_is_gone_drops_it(
    door: Door, make_stack: Callable[[Path, str], Stack], sandbox: Sandbox
) -> None:
    """A server the API no longer knows has no schedule: the resource leaves the state."""
    stack = configure_for(program_stack(make_stack, door, SCHEDULE), sandbox)
    stack.config("test:daily", "7")
    stack.up()
    # The account lost server 12345: the API says so.
    sandbox.set_fault("get_server_detail", error=(SERVER_NOT_FOUND, "Server not found."))
    sandbox.clear_calls()
    stack.run("refresh", "--yes", "--skip-preview")
    assert functions(sandbox) == ["get_server_detail"]
    resources = stack.export()["deployment"].get("resources") or []
    assert [r for r in resources if r["type"] == door.schedule_type] == []


def test_plugin_import_records_the_schedule_it_finds(
    make_stack: Callable[[Path, str], Stack], sandbox: Sandbox
) -> None:
    stack = configure_for(program_stack(make_stack, PLUGIN, SCHEDULE), sandbox)
    set_elsewhere(sandbox, "12345", daily=5, monthly=1)
    output = stack.run(
        "import",
        PLUGIN.schedule_type,
        "imported",
        "12345",
        "--yes",
        "--generate-code=false",
    )
    assert "Traceback" not in output
    assert set(functions(sandbox)) == {"set_server_snapshot_schedule", "get_server_detail"}
    state = recorded(stack, PLUGIN.schedule_type, "imported")
    assert state["id"] == "12345"
    assert state["outputs"] == {"serverId": "12345", "dailyMaxAge": 5, "monthlyMaxAge": 1}
    assert state["inputs"] == state["outputs"]
    assert cycles(sandbox) == (5, 0, 1), "an import changes nothing"

    missing = stack.run(
        "import",
        PLUGIN.schedule_type,
        "missing",
        "99999",
        "--yes",
        "--generate-code=false",
        ok=False,
    )
    assert "99999" in missing and "does not exist" in missing


def test_no_root_password_in_state_or_output(
    make_stack: Callable[[Path, str], Stack], sandbox: Sandbox
) -> None:
    """get_server_detail returns the root password: no read puts it anywhere."""
    stack = configure_for(program_stack(make_stack, PLUGIN, SCHEDULE), sandbox)
    stack.config("test:daily", "7")
    outputs = [stack.up(), stack.run("refresh", "--yes", "--skip-preview", "--diff")]
    password = sandbox.root_password("12345")
    exported = json.dumps(stack.export(show_secrets=True))
    assert all(password not in text for text in [*outputs, exported])
