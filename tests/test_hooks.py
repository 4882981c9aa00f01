"""snapshot_before_update, run as in a program, against the sandbox over real HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterator
from typing import Any

import pulumi
import pytest

from node_pulumi import NodeApiError, snapshot_before_update
from node_pulumi._dynamic.hooks import _hook
from node_pulumi.sandbox import Sandbox

from .clock import StillClock
from .conftest import API_KEY, USER_ID
from .program import run_program

RELEASE = pulumi.ResourceHookArgs(
    urn="urn:pulumi:dev::app::app:Release::release", id="r-1", name="release", type="app:Release"
)


@pytest.fixture(autouse=True)
def fresh_program() -> Iterator[None]:
    """Each test is a new program run, with no hook registered yet."""
    _hook.cache_clear()
    yield
    _hook.cache_clear()


async def run_hook(hook: pulumi.ResourceHook, args: pulumi.ResourceHookArgs) -> None:
    """Call ``hook`` as the SDK's callback server does: await what it returns, if anything."""
    result = hook.callback(args)
    if isinstance(result, Awaitable):
        await result


def program_config(sandbox: Sandbox) -> dict[str, str]:
    return {"node:userId": USER_ID, "node:apiKey": API_KEY, "node:endpoint": sandbox.url}


def test_calls_that_behave_alike_return_one_hook_and_others_distinct_names() -> None:
    async def body() -> list[pulumi.ResourceHook]:
        return [
            snapshot_before_update("2001"),
            snapshot_before_update("2001", wait_timeout=5),
            snapshot_before_update("2001", wait_until_active=True, wait_timeout=5),
            snapshot_before_update("2001", wait_until_active=True, wait_timeout=5.0),
            snapshot_before_update("2001", wait_until_active=True, wait_timeout=6),
            snapshot_before_update("2001", wait_until_active=True, wait_timeout=1234567),
            snapshot_before_update("2001", wait_until_active=True, wait_timeout=1234568),
            snapshot_before_update("12345"),
        ]

    hooks, _ = run_program(body, {})
    plain, alike, wait_5, wait_5_again, *others = hooks
    assert alike is plain
    assert wait_5_again is wait_5
    names = [h.name for h in (plain, wait_5, *others)]
    assert len(set(names)) == len(names)


def test_hook_names_stay_distinct_whatever_the_server_id_holds() -> None:
    async def body() -> list[str]:
        return [
            snapshot_before_update("1 waiting 5.0s").name,
            snapshot_before_update("1", wait_until_active=True, wait_timeout=5).name,
        ]

    names, _ = run_program(body, {})
    assert len(set(names)) == 2


def test_hook_takes_a_snapshot_and_logs_its_id(sandbox: Sandbox) -> None:
    async def body() -> None:
        await run_hook(snapshot_before_update("2001"), RELEASE)

    _, logs = run_program(body, program_config(sandbox))
    (snapshot,) = sandbox.snapshots()
    assert snapshot["server_id"] == "2001"
    assert [c.function for c in sandbox.calls()] == ["create_snapshot"]
    assert (
        "info",
        f"snapshot {snapshot['snapshot_id']} of server 2001 taken before updating release "
        "(processing)",
    ) in logs


def test_waiting_hook_waits_until_active(sandbox: Sandbox) -> None:
    async def body() -> None:
        hook = snapshot_before_update("2001", wait_until_active=True, wait_timeout=60)
        await run_hook(hook, RELEASE)

    _, logs = run_program(body, program_config(sandbox))
    (snapshot,) = sandbox.snapshots()
    assert any(
        m.endswith(
            f"{snapshot['snapshot_id']} of server 2001 taken before updating release (active)"
        )
        for _, m in logs
    )
    assert "get_snapshot_detail" in [c.function for c in sandbox.calls()]


def test_a_failed_snapshot_fails_the_hook(sandbox: Sandbox) -> None:
    sandbox.set_fault("create_snapshot", error=("SERVER_BUSY", "Server is busy."))

    async def body() -> None:
        await run_hook(snapshot_before_update("2001"), RELEASE)

    with pytest.raises(NodeApiError, match="Server is busy"):
        run_program(body, program_config(sandbox))


def test_a_waiting_hook_lets_other_callbacks_run_on_the_programs_loop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The hook runs on the program's event loop, as the SDK's callback server runs it, beside
    another coroutine (any other callback of the program). The sandbox's clock stands still, so
    the snapshot turns active only when that other coroutine moves the clock, which it does once
    the hook has named the snapshot. A hook that blocked the loop while waiting would keep the
    other coroutine from ever running and fail at its 5 s deadline; this one returns the
    snapshot active, and the other coroutine ran while it waited."""
    clock = StillClock()
    with Sandbox(USER_ID, API_KEY, processing_seconds=60, clock=clock) as sandbox:
        events: list[str] = []
        log_info = pulumi.log.info

        async def body() -> None:
            loop = asyncio.get_running_loop()
            named = asyncio.Event()

            def info(message: str, *args: Any, **kwargs: Any) -> None:
                log_info(message, *args, **kwargs)
                if "created; waiting for it to become active" in message:
                    loop.call_soon_threadsafe(named.set)  # told from the create's thread

            monkeypatch.setattr(pulumi.log, "info", info)
            hook = snapshot_before_update("2001", wait_until_active=True, wait_timeout=5)

            async def other_callback() -> None:
                await named.wait()
                events.append("other callback ran")
                clock.now += 120  # the snapshot is active from now on

            async def hooked() -> None:
                await run_hook(hook, RELEASE)
                events.append("hook done")

            await asyncio.gather(hooked(), other_callback())

        _, logs = run_program(body, program_config(sandbox))
        assert events == ["other callback ran", "hook done"]
        (snapshot,) = sandbox.snapshots()
        assert snapshot["snapshot_status"] == "active"
        assert any(m.endswith("taken before updating release (active)") for _, m in logs)
