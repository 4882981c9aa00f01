"""Python classes for the ``node`` provider plugin (``pulumi-resource-node``).

The same arguments as the dynamic resources in `node_pulumi`, for the plugin's tokens
``node:index:Snapshot``, ``node:index:RotatingSnapshot``, ``node:index:SnapshotSchedule`` and
``node:index:getSnapshots``:

```python
from node_pulumi import native as node
snap = node.Snapshot("before-deploy", server_id="12345", triggers=[release])
```

The engine must find the plugin: ``pulumi-resource-node`` on ``PATH`` (it is installed with this
package) or in the plugin cache (``pulumi plugin install resource node VERSION --file ...``).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import pulumi

from .._core.inputs import DEFAULT_WAIT_TIMEOUT, lookup_arguments
from .._core.settings import API_KEY, USER_ID
from .._plugin.schema import GET_SNAPSHOTS, PACKAGE, ROTATING, SCHEDULE, SNAPSHOT
from .._plugin.values import to_snake
from .._program import (
    program_settings,
    unknown_in_preview,
    warn_if_api_key_in_plaintext,
    with_secret_fields,
)

__all__ = ["Provider", "RotatingSnapshot", "Snapshot", "SnapshotSchedule", "get_snapshots"]


def _args(cls: type[Any], **values: Any) -> Any:
    """An instance of the input type ``cls`` holding ``values`` by their Python names.

    The SDK sends them under the names the type's `pulumi.property` fields give (camelCase), and
    leaves values such as the user's ``triggers`` untranslated.
    """
    args = object.__new__(cls)
    args.__dict__.update(values)
    return args


@pulumi.input_type
class _ProviderArgs:
    user_id: pulumi.Input[str] | None = pulumi.property("userId", default=None)
    api_key: pulumi.Input[str] | None = pulumi.property("apiKey", default=None)
    endpoint: pulumi.Input[str] | None = pulumi.property("endpoint", default=None)
    sandbox: pulumi.Input[bool] | None = pulumi.property("sandbox", default=None)
    format: pulumi.Input[str] | None = pulumi.property("format", default=None)
    timeout: pulumi.Input[float] | None = pulumi.property("timeout", default=None)
    client_ip_address: pulumi.Input[str] | None = pulumi.property("clientIpAddress", default=None)


class Provider(pulumi.ProviderResource):
    """An explicit ``node`` provider: its own credentials and settings, instead of the stack's
    ``node:*`` config. What is not given falls back to the ``NODE_*`` environment variables.
    The API key is stored as a secret."""

    def __init__(
        self,
        resource_name: str,
        *,
        user_id: pulumi.Input[str] | None = None,
        api_key: pulumi.Input[str] | None = None,
        endpoint: pulumi.Input[str] | None = None,
        sandbox: pulumi.Input[bool] | None = None,
        format: pulumi.Input[str] | None = None,
        timeout: pulumi.Input[float] | None = None,
        client_ip_address: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        args = _args(
            _ProviderArgs,
            user_id=user_id,
            api_key=None if api_key is None else pulumi.Output.secret(api_key),
            endpoint=endpoint,
            sandbox=sandbox,
            format=format,
            timeout=timeout,
            client_ip_address=client_ip_address,
        )
        secret = pulumi.ResourceOptions(additional_secret_outputs=["apiKey"])
        super().__init__(PACKAGE, resource_name, args, pulumi.ResourceOptions.merge(opts, secret))
        # What the plugin falls back to when an argument is missing: the environment.
        self._has_credentials = all(
            given is not None or bool(os.environ.get(setting.env_var))
            for given, setting in ((user_id, USER_ID), (api_key, API_KEY))
        )


@pulumi.input_type
class _SnapshotArgs:
    server_id: pulumi.Input[str] = pulumi.property("serverId")
    triggers: pulumi.Input[Sequence[Any]] | None = pulumi.property("triggers", default=None)
    wait_until_active: pulumi.Input[bool] | None = pulumi.property("waitUntilActive", default=None)
    wait_timeout: pulumi.Input[float] | None = pulumi.property("waitTimeout", default=None)


_SNAPSHOT_OUTPUTS = (
    "snapshot_id",
    "snapshot_status",
    "snapshot_name",
    "snapshot_size",
    "created_at",
)


class Snapshot(pulumi.CustomResource):
    """A manual snapshot of a node.co.id server, taken when the resource is created.

    A new ``server_id`` or a changed ``triggers`` value takes a new snapshot (before the old one
    is deleted, unless ``delete_before_replace``). With ``wait_until_active`` the create waits up
    to ``wait_timeout`` seconds (or ``custom_timeouts.create``, when shorter) for ``active``; a
    wait that fails, or is cancelled, leaves the snapshot in state with an error, and the next
    ``up`` resumes the wait.
    """

    snapshot_id: pulumi.Output[str] = pulumi.property("snapshotId")
    snapshot_status: pulumi.Output[str] = pulumi.property("snapshotStatus")
    server_id: pulumi.Output[str] = pulumi.property("serverId")
    snapshot_name: pulumi.Output[str | None] = pulumi.property("snapshotName")
    snapshot_size: pulumi.Output[float | None] = pulumi.property("snapshotSize")
    created_at: pulumi.Output[str | None] = pulumi.property("createdAt")
    triggers: pulumi.Output[list[Any] | None] = pulumi.property("triggers")
    wait_until_active: pulumi.Output[bool] = pulumi.property("waitUntilActive")
    wait_timeout: pulumi.Output[float] = pulumi.property("waitTimeout")

    def __init__(
        self,
        resource_name: str,
        server_id: pulumi.Input[str | int],
        *,
        triggers: pulumi.Input[Sequence[Any]] | None = None,
        wait_until_active: pulumi.Input[bool] = True,
        wait_timeout: pulumi.Input[float] = DEFAULT_WAIT_TIMEOUT,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        warn_if_api_key_in_plaintext()
        args = _args(
            _SnapshotArgs,
            server_id=server_id,
            triggers=triggers,
            wait_until_active=wait_until_active,
            wait_timeout=wait_timeout,
            **dict.fromkeys(_SNAPSHOT_OUTPUTS),
        )
        super().__init__(SNAPSHOT, resource_name, args, opts)

    @staticmethod
    def get(
        resource_name: str, id: pulumi.Input[str], opts: pulumi.ResourceOptions | None = None
    ) -> Snapshot:
        """Adopt an existing snapshot by id; ``pulumi destroy`` leaves it alone."""
        warn_if_api_key_in_plaintext()
        args = _args(
            _SnapshotArgs,
            **dict.fromkeys(("server_id", "triggers", "wait_until_active", "wait_timeout")),
            **dict.fromkeys(_SNAPSHOT_OUTPUTS),
        )
        snapshot = Snapshot.__new__(Snapshot)
        merged = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(id=id))
        pulumi.CustomResource.__init__(snapshot, SNAPSHOT, resource_name, args, merged)
        return snapshot


@pulumi.input_type
class _RotatingSnapshotArgs:
    server_id: pulumi.Input[str] = pulumi.property("serverId")
    keep: pulumi.Input[int] = pulumi.property("keep")
    triggers: pulumi.Input[Sequence[Any]] | None = pulumi.property("triggers", default=None)
    wait_until_active: pulumi.Input[bool] | None = pulumi.property("waitUntilActive", default=None)
    wait_timeout: pulumi.Input[float] | None = pulumi.property("waitTimeout", default=None)


class RotatingSnapshot(pulumi.CustomResource):
    """The last ``keep`` snapshots of a node.co.id server, one more at each change of
    ``triggers``.

    A change of ``triggers`` takes a new snapshot (an update, not a replacement), waits for it
    as `Snapshot` does, then deletes the oldest beyond ``keep``; lowering ``keep`` deletes the
    extras at the next ``up``. Only snapshots this resource took are deleted. A wait or a delete
    that fails leaves what was done in state with an error, and the next ``up`` resumes it
    without taking another snapshot. A new ``server_id`` replaces the resource; ``pulumi
    destroy`` deletes every snapshot it holds (none with ``retain_on_delete``).
    """

    snapshot_id: pulumi.Output[str] = pulumi.property("snapshotId")
    snapshot_ids: pulumi.Output[list[str]] = pulumi.property("snapshotIds")
    snapshot_status: pulumi.Output[str] = pulumi.property("snapshotStatus")
    server_id: pulumi.Output[str] = pulumi.property("serverId")
    keep: pulumi.Output[int] = pulumi.property("keep")
    triggers: pulumi.Output[list[Any] | None] = pulumi.property("triggers")
    wait_until_active: pulumi.Output[bool] = pulumi.property("waitUntilActive")
    wait_timeout: pulumi.Output[float] = pulumi.property("waitTimeout")

    def __init__(
        self,
        resource_name: str,
        server_id: pulumi.Input[str | int],
        *,
        keep: pulumi.Input[int],
        triggers: pulumi.Input[Sequence[Any]] | None = None,
        wait_until_active: pulumi.Input[bool] = True,
        wait_timeout: pulumi.Input[float] = DEFAULT_WAIT_TIMEOUT,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        warn_if_api_key_in_plaintext()
        args = _args(
            _RotatingSnapshotArgs,
            server_id=server_id,
            keep=keep,
            triggers=triggers,
            wait_until_active=wait_until_active,
            wait_timeout=wait_timeout,
            **dict.fromkeys(("snapshot_id", "snapshot_ids", "snapshot_status")),
        )
        super().__init__(ROTATING, resource_name, args, opts)


@pulumi.input_type
class _ScheduleArgs:
    server_id: pulumi.Input[str] = pulumi.property("serverId")
    daily_max_age: pulumi.Input[int] | None = pulumi.property("dailyMaxAge", default=None)
    weekly_max_age: pulumi.Input[int] | None = pulumi.property("weeklyMaxAge", default=None)
    monthly_max_age: pulumi.Input[int] | None = pulumi.property("monthlyMaxAge", default=None)


class SnapshotSchedule(pulumi.CustomResource):
    """Automatic daily / weekly / monthly snapshots of a server, each kept for a maximum age.

    ``None`` turns a cycle off; ages are whole numbers from 1 to 99. One schedule per server.
    ``refresh`` reads it back (a change made elsewhere shows, and the next ``up`` puts the
    program's back); ``pulumi import node:index:SnapshotSchedule NAME SERVER_ID`` records it.
    """

    server_id: pulumi.Output[str] = pulumi.property("serverId")
    daily_max_age: pulumi.Output[int | None] = pulumi.property("dailyMaxAge")
    weekly_max_age: pulumi.Output[int | None] = pulumi.property("weeklyMaxAge")
    monthly_max_age: pulumi.Output[int | None] = pulumi.property("monthlyMaxAge")

    def __init__(
        self,
        resource_name: str,
        server_id: pulumi.Input[str | int],
        *,
        daily_max_age: pulumi.Input[int] | None = None,
        weekly_max_age: pulumi.Input[int] | None = None,
        monthly_max_age: pulumi.Input[int] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        warn_if_api_key_in_plaintext()
        args = _args(
            _ScheduleArgs,
            server_id=server_id,
            daily_max_age=daily_max_age,
            weekly_max_age=weekly_max_age,
            monthly_max_age=monthly_max_age,
        )
        super().__init__(SCHEDULE, resource_name, args, opts)


def get_snapshots(
    *,
    server_id: pulumi.Input[str | int] | None = None,
    status: str = "active",
    cycle: str = "all",
    opts: pulumi.InvokeOutputOptions | None = None,
) -> pulumi.Output[list[dict[str, Any]]]:
    """Every snapshot matching the filters, each a dict as get_snapshot_detail describes it.

    Needs ``clientIpAddress`` in the provider's settings. Like any data source it calls the API
    during ``pulumi preview`` too; a preview without credentials (pull-request CI) gets an
    unknown result and a warning instead of an error, as with `node_pulumi.get_snapshots`. The
    arguments are checked first, as there (`NodeInputError`); a whole number is a server id.

    That unknown result is decided here, in the program, before the plugin is invoked: the
    engine does not let a provider function answer "unknown", so from YAML, TypeScript or Go,
    which call the plugin's ``getSnapshots`` directly, such a preview fails with an error naming
    ``node:userId`` / ``NODE_USER_ID`` (see `node_pulumi._plugin.get_snapshots`).
    """
    # A server id not known yet (an Output) is checked by the plugin once it is.
    known = None if isinstance(server_id, pulumi.Output) else server_id
    checked = lookup_arguments(server_id=known, status=status, cycle=cycle)
    unknown = unknown_in_preview(_has_credentials(opts))
    if unknown is not None:
        return unknown
    args = {
        "serverId": server_id if known is None else checked.get("server_id"),
        "status": checked["status"],
        "cycle": checked["cycle"],
    }
    # The plugin marks each snapshotUrl secret, which makes the SDK's whole result secret: the
    # URLs become secret Outputs again, record by record, as in the dynamic door. A secret
    # server id (an Output) keeps the result secret.
    result = pulumi.Output.unsecret(pulumi.runtime.invoke_output(GET_SNAPSHOTS, args, opts))
    records = result.apply(
        lambda r: with_secret_fields(
            [{to_snake(k): v for k, v in record.items()} for record in r["snapshots"]]
        )
    )
    if isinstance(server_id, pulumi.Output):
        return server_id.apply(lambda _: records)
    return records


def _has_credentials(opts: pulumi.InvokeOutputOptions | None) -> bool:
    """Whether the provider a look-up goes to has credentials: an explicit `Provider` its
    arguments (or the environment), the default provider the stack's config (or the environment).

    Another provider (one given through a parent, say) is assumed to have them.
    """
    provider = opts.provider if opts is not None else None
    if isinstance(provider, Provider):
        return provider._has_credentials
    if provider is not None or (opts is not None and opts.parent is not None):
        return True
    settings = program_settings()
    return bool(settings.user_id and settings.api_key)
