"""The `Snapshot` resource and its provider, `SnapshotProvider`."""

from __future__ import annotations

import itertools
import json
import math
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import pulumi
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    CreateResult,
    DiffResult,
    ReadResult,
    Resource,
    UpdateResult,
)

from ._client import NodeClient
from ._errors import (
    NodeApiError,
    NodeDecodeError,
    NodeError,
    NodeTransportError,
    SnapshotFailedError,
    SnapshotNotFoundError,
    SnapshotTimeoutError,
    SnapshotUncertainError,
    SnapshotWaitError,
)
from ._provider import NodeProvider, changed, check_server_id, is_unknown, shown
from ._settings import warn_if_api_key_in_plaintext

DEFAULT_WAIT_TIMEOUT = 1800.0
CANDIDATES_SHOWN = 5
POLL_INTERVAL, POLL_GROWTH, POLL_MAX_INTERVAL = 1.0, 0.25, 60.0

# Inputs whose change means a new snapshot, and inputs that only steer this provider.
REPLACING_INPUTS = ("server_id", "triggers")
LOCAL_INPUTS = ("wait_until_active", "wait_timeout")


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
        poll_interval: float = 1.0,
        poll_growth: float = 0.25,
        poll_max_interval: float = 60.0,
    ) -> None:
        self.poll_interval = poll_interval
        self.poll_growth = poll_growth
        self.poll_max_interval = poll_max_interval

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validate inputs without any API call or credentials, so preview reports bad input.

        Values not known yet (preview) pass; the engine checks again once they are known.
        """
        inputs = dict(news)
        failures = check_server_id(inputs)
        wait = inputs.get("wait_until_active", True)
        if not is_unknown(wait) and not isinstance(wait, bool):
            failures.append(
                CheckFailure(
                    "wait_until_active", f"wait_until_active must be true or false: {shown(wait)}"
                )
            )
        timeout = inputs.get("wait_timeout", DEFAULT_WAIT_TIMEOUT)
        if not is_unknown(timeout) and not _is_positive_number(timeout):
            failures.append(
                CheckFailure(
                    "wait_timeout",
                    f"wait_timeout must be a positive number of seconds: {shown(timeout)}",
                )
            )
        if "triggers" in inputs:
            try:
                json.dumps(inputs["triggers"], allow_nan=False, default=_unknown_as_null)
            except (TypeError, ValueError) as exc:
                failures.append(
                    CheckFailure("triggers", f"triggers must be JSON-serialisable values: {exc}")
                )
        return CheckResult(inputs, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Replace on a new server_id or triggers; wait settings change in place, with no call."""
        replaces = [k for k in REPLACING_INPUTS if changed(olds.get(k), news.get(k))]
        local = [
            k
            for k in LOCAL_INPUTS
            if changed(_with_default(k, olds.get(k)), _with_default(k, news.get(k)))
        ]
        return DiffResult(changes=bool(replaces or local), replaces=replaces)

    def create(self, props: dict[str, Any]) -> CreateResult:
        """Take one snapshot (one create_snapshot call), then wait for it if asked to."""
        settings = self.settings()
        with settings.client() as client:
            details = take_snapshot(
                client,
                str(props["server_id"]),
                wait=bool(props.get("wait_until_active", True)),
                timeout=float(props.get("wait_timeout", DEFAULT_WAIT_TIMEOUT)),
                client_ip_address=settings.client_ip_address,
                intervals=self.poll_intervals(),
            )
        return CreateResult(details["snapshot_id"], _outputs(props, details))

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
            try:
                details = client.get_snapshot_detail(id_, settings.client_ip_address)
            except NodeApiError as exc:
                if not exc.is_not_found:
                    raise
                if adopting:
                    raise SnapshotNotFoundError(id_, str(exc)) from exc
                return ReadResult("", {})
        if details.get("snapshot_status") == "deleted":
            if adopting:
                raise SnapshotNotFoundError(id_, "the API reports it deleted")
            return ReadResult("", {})
        outs = _outputs(props, {"snapshot_id": id_, **details})
        inputs = {k: outs[k] for k in ("server_id", *LOCAL_INPUTS, "triggers") if k in outs}
        return ReadResult(id_, outs, inputs)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """Only wait settings can change in place: keep every output, take the new settings."""
        outs = {k: v for k, v in olds.items() if k not in LOCAL_INPUTS}
        outs.update({k: news[k] for k in LOCAL_INPUTS if k in news})
        return UpdateResult(outs)

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        """Delete the snapshot; one that is already gone counts as deleted."""
        with self.settings().client() as client:
            try:
                client.delete_snapshot(id_)
            except NodeApiError as exc:
                if not exc.is_not_found:
                    raise


def poll_intervals(
    first: float = POLL_INTERVAL, growth: float = POLL_GROWTH, largest: float = POLL_MAX_INTERVAL
) -> Iterator[float]:
    """Waits between status polls: ``first``, then ``growth`` times the time waited so far."""
    waited = 0.0
    while True:
        wait = min(max(first, waited * growth), largest)
        waited += wait
        yield wait


def _to_stderr(line: str) -> None:
    """Write ``line`` on stderr at once: the engine shows a dynamic provider's stderr as it comes.

    One write per line: the provider's threads write concurrently (``print`` writes the line and
    its newline separately, so two lines could run together).
    """
    sys.stderr.write(f"{line}\n")
    sys.stderr.flush()


def take_snapshot(
    client: NodeClient,
    server_id: str,
    *,
    wait: bool,
    timeout: float,
    client_ip_address: str | None,
    intervals: Iterator[float],
    notify: Callable[[str], None] = _to_stderr,
) -> dict[str, Any]:
    """Start a snapshot of ``server_id`` and, with ``wait``, wait until it is active.

    Returns what the API reported of it. Every error raised after the snapshot exists names it,
    and ``notify`` gets a line naming it the moment the API answers, before any waiting, so that
    an interrupted ``up`` (whose errors never show) cannot leave a snapshot nobody was told of.
    """
    started = time.monotonic()
    try:
        created = client.create_snapshot(server_id)
        if not created.get("snapshot_id"):
            raise NodeDecodeError("create_snapshot", "the answer is OK but has no snapshot_id")
    except (NodeTransportError, NodeDecodeError) as exc:
        if isinstance(exc, NodeTransportError) and not exc.may_have_reached_server:
            raise
        notify(
            f"node: create_snapshot of server {server_id} got no usable answer ({exc}); a "
            "snapshot may have been started: looking for it"
        )
        raise _uncertain(client, server_id, exc, client_ip_address) from exc
    snapshot_id = str(created["snapshot_id"])
    if not wait:
        notify(f"node: snapshot {snapshot_id} of server {server_id} created")
        return created
    notify(
        f"node: snapshot {snapshot_id} of server {server_id} created; waiting for it to become "
        "active"
    )
    status = created.get("snapshot_status")
    for interval in intervals:
        remaining = started + timeout - time.monotonic()
        if remaining <= 0:
            raise SnapshotTimeoutError(snapshot_id, status, timeout)
        time.sleep(min(interval, remaining))
        try:
            details = client.get_snapshot_detail(snapshot_id, client_ip_address)
        except NodeError as exc:
            raise SnapshotWaitError(
                snapshot_id,
                status,
                f"snapshot {snapshot_id} was created, but reading its status failed: {exc}; "
                "it exists outside Pulumi's state: adopt it with Snapshot.get or delete it",
            ) from exc
        status = details.get("snapshot_status")
        if status == "active":
            return {**created, **details}
        if status != "processing":
            raise SnapshotFailedError(snapshot_id, status)
    raise SnapshotTimeoutError(snapshot_id, status, timeout)


def _uncertain(
    client: NodeClient, server_id: str, cause: NodeError, client_ip_address: str | None
) -> SnapshotUncertainError:
    """Describe a create whose answer was lost, naming the server's snapshots now processing."""
    if not client_ip_address:
        return SnapshotUncertainError(
            server_id,
            cause,
            [],
            "look for it before rerunning (set node:clientIpAddress to let the provider look "
            "it up)",
        )
    try:
        processing = [
            str(r.get("snapshot_id"))
            for r in itertools.islice(
                client.get_snapshot_list(
                    client_ip_address=client_ip_address,
                    server_id=server_id,
                    snapshot_status="processing",
                    snapshot_cycle="manual",
                ),
                CANDIDATES_SHOWN,
            )
        ]
    except NodeError as exc:
        return SnapshotUncertainError(
            server_id, cause, [], f"look for it before rerunning (looking it up failed: {exc})"
        )
    if not processing:
        # The API may still act on the request, or its snapshot may already be active.
        advice = (
            "none of its snapshots was processing just after the failure; look again before "
            "rerunning"
        )
    else:
        advice = (
            "snapshots of the server processing just after the failure, outside Pulumi's state "
            f"unless another resource holds them: {', '.join(processing)}; adopt one with "
            "Snapshot.get or delete it"
        )
    return SnapshotUncertainError(server_id, cause, processing, advice)


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


def _outputs(props: Mapping[str, Any], details: Mapping[str, Any]) -> dict[str, Any]:
    """Build the resource's outputs: its inputs, and what the API reported of the snapshot."""
    outs: dict[str, Any] = {
        "server_id": details.get("server_id") or props.get("server_id"),
        "wait_until_active": props.get("wait_until_active", True),
        "wait_timeout": props.get("wait_timeout", DEFAULT_WAIT_TIMEOUT),
        "snapshot_id": details.get("snapshot_id"),
        "snapshot_status": details.get("snapshot_status"),
        "snapshot_name": details.get("snapshot_name"),
        "snapshot_size": details.get("snapshot_size"),
        "created_at": details.get("snapshot_add_time"),
    }
    if props.get("triggers") is not None:
        outs["triggers"] = props["triggers"]
    return {k: v for k, v in outs.items() if v is not None}


def _with_default(key: str, value: Any) -> Any:
    if value is not None:
        return value
    return True if key == "wait_until_active" else DEFAULT_WAIT_TIMEOUT


def _unknown_as_null(value: Any) -> None:
    """Let a value not known yet through ``json.dumps``; any other non-JSON value is refused."""
    if is_unknown(value):
        return None
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _is_positive_number(value: Any) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and value > 0
    )
