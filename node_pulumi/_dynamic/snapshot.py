"""The `Snapshot` resource and its provider, `SnapshotProvider`."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import pulumi
from pulumi.dynamic import (
    CheckResult,
    CreateResult,
    DiffResult,
    ReadResult,
    Resource,
    UpdateResult,
)

from .._api.transport import NodeClient
from .._core.drivers import Polling, resume_wait, snapshot_update, take_snapshot
from .._core.inputs import DEFAULT_WAIT_TIMEOUT, LOCAL_INPUTS, check_snapshot, snapshot_changes
from .._core.outputs import snapshot_outputs
from .._core.settings import Settings
from .._core.snapshots import delete_snapshot, read_snapshot, require_snapshot
from .._core.waiting import POLL_GROWTH, POLL_INTERVAL, POLL_MAX_INTERVAL, poll_intervals
from .._program import warn_if_api_key_in_plaintext
from .provider import NodeProvider, check_result


class SnapshotProvider(NodeProvider):
    """Creates, refreshes and deletes snapshots through the node.co.id API.

    While waiting for ``active``, status polls are ``poll_interval`` apart at first, then a
    ``poll_growth`` fraction of the time waited so far, at most ``poll_max_interval``: a snapshot
    is seen active at most a quarter of its processing time (or a second) late, and a snapshot
    that takes an hour costs about 80 polls, not 3600.
    """

    def __init__(
        self,
        *,
        poll_interval: float = POLL_INTERVAL,
        poll_growth: float = POLL_GROWTH,
        poll_max_interval: float = POLL_MAX_INTERVAL,
    ) -> None:
        self.poll_interval = poll_interval
        self.poll_growth = poll_growth
        self.poll_max_interval = poll_max_interval

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validate inputs without any API call or credentials, so preview reports bad input.

        Values not known yet (preview) pass; the engine checks again once they are known.
        """
        inputs = dict(news)
        return check_result(inputs, check_snapshot(inputs))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Replace on a new server_id or triggers; wait settings change in place, with no call."""
        replaces, local = snapshot_changes(olds, news)
        return DiffResult(changes=bool(replaces or local), replaces=replaces)

    def create(self, props: dict[str, Any]) -> CreateResult:
        """Take one snapshot (one create_snapshot call), then wait for it if asked to."""
        settings = self.settings()
        with settings.client() as client:
            details = self.take(client, settings, props)
        return CreateResult(details["snapshot_id"], snapshot_outputs(props, details))

    def take(
        self, client: NodeClient, settings: Settings, props: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Take one snapshot of the server ``props`` name, waiting for it as they say; return
        what the API reported of it (a failure after it exists names it)."""
        return take_snapshot(
            self.polling(client, settings),
            str(props["server_id"]),
            wait=bool(props.get("wait_until_active", True)),
            timeout=float(props.get("wait_timeout", DEFAULT_WAIT_TIMEOUT)),
        )

    def polling(self, client: NodeClient, settings: Settings) -> Polling:
        """The core's settings of a create or a wait: the status polls as the class docstring
        says, and lines on stderr."""
        return Polling(client, settings.client_ip_address, self.poll_intervals(), to_stderr)

    def poll_intervals(self) -> Iterator[float]:
        """The waits between status polls (see the class docstring)."""
        return poll_intervals(self.poll_interval, self.poll_growth, self.poll_max_interval)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """Refresh from get_snapshot_detail; a snapshot that is gone or deleted leaves state.

        Adoption (``Snapshot.get``) reads too, but then ``props`` holds only the program's inputs,
        never an earlier ``snapshot_id`` output: adopting a snapshot that does not exist fails.
        """
        adopting = "snapshot_id" not in props
        settings = self.settings()
        with settings.client() as client:
            if adopting:
                details = require_snapshot(client, id_, settings.client_ip_address)
            else:
                found = read_snapshot(client, id_, settings.client_ip_address)
                if found is None:
                    return ReadResult("", {})
                details = found
        outs = snapshot_outputs(props, {"snapshot_id": id_, **details})
        inputs = {k: outs[k] for k in ("server_id", *LOCAL_INPUTS, "triggers") if k in outs}
        return ReadResult(id_, outs, inputs)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """Only wait settings change in place (the core's `snapshot_update`): every output is
        kept and the new settings taken; a snapshot not yet active is waited for when the new
        settings ask to. A wait that fails leaves the resource as it was in state."""
        outs, wait = snapshot_update(olds, news)
        if wait:
            settings = self.settings()
            with settings.client() as client:
                outs = resume_wait(self.polling(client, settings), id_, outs, news)
        return UpdateResult(outs)

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        """Delete the snapshot; one that is already gone counts as deleted."""
        with self.settings().client() as client:
            delete_snapshot(client, id_)


def to_stderr(line: str) -> None:
    """Write ``line`` on stderr at once: the engine shows a dynamic provider's stderr as it comes.

    One write per line: the provider's threads write concurrently (``print`` writes the line and
    its newline separately, so two lines could run together).
    """
    sys.stderr.write(f"{line}\n")
    sys.stderr.flush()


class Snapshot(Resource, module="node", name="Snapshot"):
    """A manual snapshot of a node.co.id server, taken when the resource is created.

    A new ``server_id`` or a changed ``triggers`` value takes a new snapshot (the new one is
    created before the old one is deleted, unless ``delete_before_replace`` is set). With
    ``wait_until_active`` the create waits, up to ``wait_timeout`` seconds, for the snapshot to
    become ``active``; otherwise it records the ``processing`` status the API answered.
    """

    snapshot_id: pulumi.Output[str]
    snapshot_status: pulumi.Output[str]
    server_id: pulumi.Output[str]
    snapshot_name: pulumi.Output[str | None]
    snapshot_size: pulumi.Output[float | None]
    created_at: pulumi.Output[str | None]
    triggers: pulumi.Output[Any]
    wait_until_active: pulumi.Output[bool]
    wait_timeout: pulumi.Output[float]

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
        super().__init__(
            SnapshotProvider(),
            resource_name,
            {
                "server_id": server_id,
                "triggers": triggers,
                "wait_until_active": wait_until_active,
                "wait_timeout": wait_timeout,
                **dict.fromkeys(_OUTPUT_ONLY),
            },
            opts,
        )

    @staticmethod
    def get(
        resource_name: str, id: pulumi.Input[str], opts: pulumi.ResourceOptions | None = None
    ) -> Snapshot:
        """Adopt an existing snapshot by id (through the provider's ``read``).

        The program's ``up`` and ``preview`` fail if that snapshot does not exist.
        """
        warn_if_api_key_in_plaintext()
        merged = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(id=id))
        snapshot = Snapshot.__new__(Snapshot)
        Resource.__init__(
            snapshot,
            SnapshotProvider(),
            resource_name,
            dict.fromkeys(("server_id", "triggers", *LOCAL_INPUTS, *_OUTPUT_ONLY)),
            merged,
        )
        return snapshot


_OUTPUT_ONLY = ("snapshot_id", "snapshot_status", "snapshot_name", "snapshot_size", "created_at")
