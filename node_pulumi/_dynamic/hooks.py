"""`snapshot_before_update`: a resource hook that snapshots a server before a risky update."""

from __future__ import annotations

import functools
import json

import pulumi

from .._core.drivers import Polling, take_snapshot_async
from .._core.inputs import DEFAULT_WAIT_TIMEOUT
from .._core.waiting import poll_intervals
from .._program import program_settings


def snapshot_before_update(
    server_id: str, *, wait_until_active: bool = False, wait_timeout: float = DEFAULT_WAIT_TIMEOUT
) -> pulumi.ResourceHook:
    """Return a hook that takes a snapshot of ``server_id`` before the bound resource updates.

    Bind it with ``ResourceOptions(hooks=ResourceHookBinding(before_update=[hook]))``. The
    snapshot's id is logged on the resource. If the snapshot cannot be taken (or, with
    ``wait_until_active``, does not become active in ``wait_timeout`` seconds), the hook fails and
    the engine does not update the resource. Pulumi runs hooks in the program's process, with its
    stack config, never during ``preview``, and not for a replacement (a create and a delete).
    The hook is a coroutine that waits without blocking the program's event loop: other hooks
    and callbacks go on meanwhile.
    Calls that would behave alike return the same hook (``wait_timeout`` matters only when
    waiting).
    """
    return _hook(server_id, float(wait_timeout) if wait_until_active else None)


@functools.cache  # the engine accepts each hook name once: one hook per distinct behaviour
def _hook(server_id: str, wait_timeout: float | None) -> pulumi.ResourceHook:
    """The hook for ``server_id``, waiting up to ``wait_timeout`` seconds, or not if None."""

    async def hook(args: pulumi.ResourceHookArgs) -> None:
        # A coroutine: the SDK awaits it on the program's event loop, which every other
        # callback (other hooks, apply, transforms) shares. The create runs on a worker thread
        # and the wait sleeps on the loop (the core's take_snapshot_async), so a wait of up to
        # `wait_timeout` stalls nothing else.
        settings = program_settings()
        with settings.client() as client:
            polling = Polling(client, settings.client_ip_address, poll_intervals(), pulumi.log.info)
            details = await take_snapshot_async(
                polling,
                server_id,
                wait=wait_timeout is not None,
                timeout=DEFAULT_WAIT_TIMEOUT if wait_timeout is None else wait_timeout,
            )
        pulumi.log.info(
            f"snapshot {details['snapshot_id']} of server {server_id} taken before updating "
            f"{args.name} ({details.get('snapshot_status')})",
        )

    name = f"node-snapshot-before-update {json.dumps(server_id)}"
    if wait_timeout is not None:
        name += f" waiting {wait_timeout!r}s"
    return pulumi.ResourceHook(name, hook)
