"""`snapshot_before_update`: a resource hook that snapshots a server before a risky update."""

from __future__ import annotations

import functools

import pulumi

from ._settings import program_settings
from ._snapshot import DEFAULT_WAIT_TIMEOUT, poll_intervals, take_snapshot


@functools.cache  # one hook per distinct call: the engine wants each hook name registered once
def snapshot_before_update(
    server_id: str, *, wait_until_active: bool = False, wait_timeout: float = DEFAULT_WAIT_TIMEOUT
) -> pulumi.ResourceHook:
    """Return a hook that takes a snapshot of ``server_id`` before the bound resource updates.

    Bind it with ``ResourceOptions(hooks=ResourceHookBinding(before_update=[hook]))``. The
    snapshot's id is logged on the resource. If the snapshot cannot be taken (or, with
    ``wait_until_active``, does not become active in ``wait_timeout`` seconds), the hook fails and
    the engine does not update the resource. Pulumi runs hooks in the program's process, with its
    stack config, never during ``preview``, and not for a replacement (a create and a delete).
    """

    def hook(args: pulumi.ResourceHookArgs) -> None:
        settings = program_settings()
        with settings.client() as client:
            details = take_snapshot(
                client,
                server_id,
                wait=wait_until_active,
                timeout=wait_timeout,
                client_ip_address=settings.client_ip_address,
                intervals=poll_intervals(),
                notify=pulumi.log.info,
            )
        pulumi.log.info(
            f"snapshot {details['snapshot_id']} of server {server_id} taken before updating "
            f"{args.name} ({details.get('snapshot_status')})",
        )

    name = f"node-snapshot-before-update-{server_id}"
    if wait_until_active:
        name += f"-wait-{wait_timeout:g}s"
    return pulumi.ResourceHook(name, hook)
