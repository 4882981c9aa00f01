"""The checks of ``node-pulumi doctor`` that ask the API, read-only: the credentials, the client
IP address and whether the API wants one, each server, and the latency (see
`node_pulumi._core.doctor` for what each asks and why)."""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .._api.errors import (
    NodeApiError,
    NodeConfigError,
    NodeDecodeError,
    NodeError,
    NodeNotTheApiError,
    NodeTransportError,
    names_client_ip,
)
from .._api.transport import NodeClient
from .doctor_checks import Check
from .gone import is_gone
from .restore import latest_snapshot
from .restore_errors import RestoreRefusedError
from .settings import CLIENT_IP_ADDRESS, ENDPOINT, TIMEOUT, Settings

LATENCY_CALLS = 3
"""How many get_snapshot_list calls the latency is the median of."""
PROBE_ID = "0"
"""The snapshot id get_snapshot_detail is asked about when the account lists none."""
_CYCLES = ("daily", "weekly", "monthly")
_CREDENTIALS_FIX = (
    "check the user id (node:userId / NODE_USER_ID, the account status page shows it) and the "
    "API key (`pulumi config set --secret node:apiKey ...` / NODE_API_KEY) for this endpoint"
)


def api_checks(
    client: NodeClient,
    settings: Settings,
    server_ids: Sequence[str],
    clock: Callable[[], float],
) -> list[Check]:
    """The API's checks, in order; only those that can still tell once a call fails."""
    ip = settings.client_ip_address
    started = clock()
    try:
        records = _one_page(client, ip)
    except NodeError as exc:
        credentials = _credentials_failure(exc, ip)
        if credentials.status == "fail":
            return [credentials]
        # Only the address is missing: what needs no listing can still be checked.
        checks = [credentials, _client_ip_check(client, ip, None, exc)]
        return checks + [_server_check(client, server_id, ip) for server_id in server_ids]
    times = [clock() - started]
    count = f"{len(records)} snapshot{'' if len(records) == 1 else 's'}"
    found = f"accepted: get_snapshot_list answered ({count} on its first page)"
    checks = [Check("credentials", "ok", found, facts={"function": "get_snapshot_list"})]
    probe = str(records[0].get("snapshot_id") or PROBE_ID) if records else PROBE_ID
    checks.append(_client_ip_check(client, ip, probe, None))
    checks += [_server_check(client, server_id, ip) for server_id in server_ids]
    checks.append(_latency_check(client, ip, times, clock, settings.timeout))
    return checks


def _one_page(client: NodeClient, ip: str | None) -> list[dict[str, Any]]:
    return list(
        itertools.islice(client.get_snapshot_list(client_ip_address=ip, records_per_page=10), 10)
    )


def _credentials_failure(exc: NodeError, ip: str | None) -> Check:
    """The credentials check when its call failed: a refusal, a setup problem, or (the address
    missing) an answer that does not tell."""
    facts = {"function": "get_snapshot_list", "error": type(exc).__name__}
    if isinstance(exc, NodeApiError) and exc.is_credentials_error:
        return Check("credentials", "fail", f"refused: {exc.code} {exc.message}".strip(),
                     _CREDENTIALS_FIX, facts, exc)  # fmt: skip
    if isinstance(exc, NodeApiError) and not ip and names_client_ip(exc.code, exc.message):
        found = (
            "not confirmed: the API asked for client_ip_address before it said anything about "
            f"the credentials ({exc.code} {exc.message})"
        )
        return Check("credentials", "warn", found, f"set {CLIENT_IP_ADDRESS.describe()}", facts)
    return Check("credentials", "fail", str(exc), _transport_fix(exc), facts, exc)


def _transport_fix(exc: NodeError) -> str:
    """How to fix a failure to get an answer from the API at all."""
    text = str(exc)
    if isinstance(exc, NodeNotTheApiError):
        if exc.refuses_access:
            return (
                "something in front of the API refused access: check HTTPS_PROXY / NO_PROXY, a "
                "firewall, and that the API's IP allow-list has this machine's public address"
            )
        return f"check {ENDPOINT.describe()}: the API's base URL ends in /api/v1/"
    if isinstance(exc, NodeDecodeError):
        return f"the endpoint did not answer as the API does: check {ENDPOINT.describe()}"
    if isinstance(exc, NodeTransportError) and "TLS failed" in text:
        return (
            "the endpoint's certificate is not trusted: a TLS-inspecting proxy's CA can be named "
            "with REQUESTS_CA_BUNDLE (verification is never turned off)"
        )
    if isinstance(exc, NodeTransportError) and "proxy" in text:
        return "check the proxy (HTTPS_PROXY / ALL_PROXY, NO_PROXY)"
    if isinstance(exc, NodeTransportError):
        return (
            f"check that {ENDPOINT.describe()} names a reachable host and port, and the proxy "
            "settings (HTTPS_PROXY, NO_PROXY); node:timeout / NODE_TIMEOUT for a slow network"
        )
    if isinstance(exc, NodeApiError):
        return "the API refused get_snapshot_list: see its message"
    return "see the message"


def _client_ip_check(
    client: NodeClient, ip: str | None, probe: str | None, listing_error: NodeError | None
) -> Check:
    """The address sent, and whether get_snapshot_detail requires it (asked without it)."""
    wants = _detail_wants_ip(client, probe or PROBE_ID)
    facts: dict[str, Any] = {
        "client_ip_address": ip,
        "get_snapshot_list_requires": True,
        "get_snapshot_detail_requires": wants,
    }
    detail = {
        True: "get_snapshot_detail requires it too (the newer published page)",
        False: "get_snapshot_detail takes it without requiring it",
        None: "whether get_snapshot_detail requires it could not be told",
    }[wants]
    set_ip = f"set {CLIENT_IP_ADDRESS.describe()} to the public IPv4 address of this machine"
    if ip:
        return Check("client ip", "ok", f"{ip} is sent; get_snapshot_list requires it; {detail}",
                     facts=facts)  # fmt: skip
    if wants:
        found = f"not set, and the API requires it: {detail}; refresh, waits and imports fail"
        error = listing_error or NodeConfigError(f"{CLIENT_IP_ADDRESS.config_key} is not set")
        return Check("client ip", "fail", found, set_ip, facts, error)
    found = (
        f"not set: get_snapshots, `node-pulumi snapshots` and the look-up after a lost create "
        f"need it (get_snapshot_list requires it); {detail}"
    )
    return Check("client ip", "warn", found, set_ip, facts)


def _detail_wants_ip(client: NodeClient, snapshot_id: str) -> bool | None:
    try:
        client.get_snapshot_detail(snapshot_id)
    except NodeApiError as exc:
        if names_client_ip(exc.code, exc.message):
            return True
        return None if exc.is_credentials_error else False
    except NodeError:
        return None
    return False


def _server_check(client: NodeClient, server_id: str, ip: str | None) -> Check:
    name = f"server {server_id}"
    try:
        detail = client.get_server_detail(server_id)
    except NodeError as exc:
        if isinstance(exc, NodeApiError) and is_gone(exc):
            fix = "check the server id: the account of these credentials has no such server"
            return Check(name, "fail", f"not found: {exc.code} {exc.message}", fix,
                         {"server_id": server_id}, exc)  # fmt: skip
        fix = _CREDENTIALS_FIX if isinstance(exc, NodeApiError) else _transport_fix(exc)
        return Check(name, "fail", str(exc), fix, {"server_id": server_id}, exc)
    cycles = {c: _max_age(detail, c) for c in _CYCLES}
    shown = ", ".join(f"{c} {age if age else 'off'}" for c, age in cycles.items())
    facts: dict[str, Any] = {
        "server_id": server_id,
        "server_status": detail.get("server_status"),
        "schedule": cycles,
        "newest_active_snapshot": None,
    }
    found = f"reachable, status {detail.get('server_status') or 'unknown'}; schedule {shown}"
    if not ip:
        return Check(name, "warn", f"{found}; newest active snapshot: not looked up",
                     f"set {CLIENT_IP_ADDRESS.describe()} to look it up", facts)  # fmt: skip
    try:
        newest = latest_snapshot(client, server_id, client_ip_address=ip)
    except RestoreRefusedError:
        return Check(name, "warn", f"{found}; no active snapshot",
                     "take one (a Snapshot resource, or the panel)", facts)  # fmt: skip
    except NodeError as exc:
        return Check(name, "fail", f"{found}; listing its snapshots failed: {exc}",
                     _transport_fix(exc), facts, exc)  # fmt: skip
    facts["newest_active_snapshot"] = {
        "snapshot_id": newest.get("snapshot_id"),
        "snapshot_add_time": newest.get("snapshot_add_time"),
    }
    added = newest.get("snapshot_add_time") or "time unknown"
    return Check(name, "ok", f"{found}; newest active snapshot {newest.get('snapshot_id')} "
                 f"(added {added})", facts=facts)  # fmt: skip


def _max_age(detail: Mapping[str, Any], cycle: str) -> int | None:
    """A cycle's max age from get_server_detail (as `schedule.read_schedule` reads it), or None
    when the cycle is off."""
    if detail.get(f"{cycle}_snapshots") != "yes":
        return None
    age = str(detail.get(f"retain_{cycle}_snapshots") or "")
    return int(age) if age.isdigit() and int(age) >= 1 else None


def _latency_check(
    client: NodeClient,
    ip: str | None,
    times: list[float],
    clock: Callable[[], float],
    timeout: float,
) -> Check:
    while len(times) < LATENCY_CALLS:
        started = clock()
        try:
            _one_page(client, ip)
        except NodeError as exc:
            return Check("latency", "warn", f"a timing call failed: {exc}", _transport_fix(exc))
        times.append(clock() - started)
    median = statistics.median(times)
    facts = {"calls": len(times), "function": "get_snapshot_list", "median_seconds": median}
    found = f"median {median * 1000:.0f} ms over {len(times)} get_snapshot_list calls"
    if median > timeout / 2:
        fix = f"raise {TIMEOUT.describe()} (now {timeout:g} s): answers take half of it"
        return Check("latency", "warn", found, fix, facts)
    return Check("latency", "ok", found, facts=facts)
