"""``node-pulumi doctor``'s checks: is this machine's setup right for the node.co.id API?

Read-only and safe at any time, in CI too: the only API calls are reads (get_snapshot_list,
get_snapshot_detail, get_server_detail). Each check is a `Check` with a status (``ok``, ``warn``,
``fail``), what it found and how to fix it; the command renders them as a table or as JSON. No
check holds the API key (only where it came from) or a root password (the client drops it while
decoding get_server_detail).

The checks, in order (a check that needs an API answer is left out once the setup cannot reach
the API, so that the first failing line is the one to fix):

* ``setting <key>``: each setting's value (never the key's) and where it came from: stack
  configuration, environment or default.
* ``endpoint``: production, the published sandbox or a custom one (a local sandbox is custom).
* ``tls``: certificate verification (always on), the CA bundle and the proxy ``requests`` uses.
* ``credentials``: one page of get_snapshot_list (10 records, with the client IP address when set):
  the one read every account can answer without naming a server or a snapshot, and it is the
  call that ``get_snapshots`` and ``node-pulumi snapshots`` make.
* ``client ip``: the address that will be sent, and whether the API wants one: get_snapshot_list
  always does; get_snapshot_detail is asked without it (a snapshot just listed, or a made-up id)
  to learn whether it requires it, as the newer published page says.
* ``server <id>``, per ``--server-id``: get_server_detail with these credentials (its status and
  schedule) and the server's newest active snapshot.
* ``latency``: the median time of `LATENCY_CALLS` get_snapshot_list calls (the credentials call
  and more of the same).
"""

from __future__ import annotations

import itertools
import os
import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

import requests.utils

from .._api.errors import (
    NodeApiError,
    NodeConfigError,
    NodeDecodeError,
    NodeError,
    NodeNotTheApiError,
    NodeTransportError,
    names_client_ip,
)
from .._api.transport import REAL_ENDPOINT, SANDBOX_ENDPOINT, NodeClient, check_endpoint
from .gone import is_gone
from .restore import latest_snapshot
from .restore_errors import RestoreRefusedError
from .settings import (
    API_KEY,
    CLIENT_IP_ADDRESS,
    ENDPOINT,
    EXAMPLES,
    FORMAT,
    SANDBOX,
    TIMEOUT,
    USER_ID,
    Settings,
    resolve_settings,
)

Status = Literal["ok", "warn", "fail"]
LATENCY_CALLS = 3
"""How many get_snapshot_list calls the latency is the median of."""
PROBE_ID = "0"
"""The snapshot id get_snapshot_detail is asked about when the account lists none."""
_CYCLES = ("daily", "weekly", "monthly")
_SETTINGS = (USER_ID, API_KEY, ENDPOINT, SANDBOX, FORMAT, TIMEOUT, CLIENT_IP_ADDRESS)
_DEFAULTS = {
    USER_ID.config_key: "none",
    API_KEY.config_key: "none",
    ENDPOINT.config_key: REAL_ENDPOINT + " (or the sandbox's, with node:sandbox)",
    SANDBOX.config_key: "false",
    FORMAT.config_key: "json",
    TIMEOUT.config_key: "20",
    CLIENT_IP_ADDRESS.config_key: "unset",
}
_CREDENTIALS_FIX = (
    "check the user id (node:userId / NODE_USER_ID, the account status page shows it) and the "
    "API key (`pulumi config set --secret node:apiKey ...` / NODE_API_KEY) for this endpoint"
)


@dataclass(frozen=True)
class Check:
    """One line of the diagnosis: its ``status``, what it ``found``, and how to ``fix`` it.

    ``facts`` are the same findings as data (for ``--json``); ``error`` is the failure behind a
    failing check, when there is one (the command's exit status follows it), never rendered.
    """

    name: str
    status: Status
    found: str
    fix: str = ""
    facts: Mapping[str, Any] = field(default_factory=dict)
    error: NodeError | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class Diagnosis:
    """Every check, in order."""

    checks: tuple[Check, ...]

    @property
    def first_failure(self) -> Check | None:
        """The first failing check: the one to fix first (its error sets the exit status)."""
        return next((c for c in self.checks if c.status == "fail"), None)

    @property
    def status(self) -> Status:
        """The worst status of any check."""
        statuses = {c.status for c in self.checks}
        return "fail" if "fail" in statuses else "warn" if "warn" in statuses else "ok"


def diagnose(
    config: Mapping[str, Any] | None,
    server_ids: Sequence[str] = (),
    *,
    clock: Callable[[], float] = time.perf_counter,
) -> Diagnosis:
    """Run every check with the stack ``config`` (``"node:userId"``-style keys; None without a
    stack) and this process's environment (as the client reads it: settings, CA bundle, proxy),
    for the servers ``server_ids``."""
    env = os.environ
    checks = [_setting_check(s, config or {}, env) for s in _SETTINGS]
    try:
        settings = resolve_settings(config, env)
    except NodeConfigError as exc:
        checks.append(
            Check("settings", "fail", str(exc), "correct the setting it names", error=exc)
        )
        return Diagnosis(tuple(checks))
    checks += [_endpoint_check(settings.endpoint), _tls_check(settings.endpoint, env)]
    if any(c.status == "fail" for c in checks):
        return Diagnosis(tuple(checks))
    with settings.client() as client:
        checks += _api_checks(client, settings, server_ids, clock)
    return Diagnosis(tuple(checks))


def _setting_check(setting: Any, config: Mapping[str, Any], env: Mapping[str, str]) -> Check:
    key, variable = setting.config_key, setting.env_var
    if config.get(key) not in (None, ""):
        source, value = "stack configuration", str(config[key])
    elif env.get(variable):
        source, value = f"environment {variable}", env[variable]
    else:
        source, value = "default", _DEFAULTS[key]
    if setting is API_KEY and source != "default":
        value = "set, never shown"
    elif setting is ENDPOINT and source != "default":
        value = _without_password(value)  # refused by the client, never shown
    facts = {"key": key, "variable": variable, "source": source}
    if setting is not API_KEY:
        facts["value"] = None if source == "default" else value
    name = f"setting {key}"
    if setting in (USER_ID, API_KEY) and source == "default":
        fix = f"set {setting.describe()} (for example: {EXAMPLES[key]})"
        error = NodeConfigError(f"{key} is not set: {fix}")
        return Check(name, "fail", "not set", fix, facts, error)
    return Check(name, "ok", f"{value} ({source})", facts=facts)


def _endpoint_check(endpoint: str) -> Check:
    try:
        endpoint = check_endpoint(endpoint)
    except NodeConfigError as exc:
        fix = f"set {ENDPOINT.describe()} to an https:// URL of the API"
        shown = _without_password(endpoint)
        found = str(exc).replace(endpoint, shown)
        return Check("endpoint", "fail", found, fix, {"endpoint": shown}, NodeConfigError(found))
    kind = {REAL_ENDPOINT: "production", SANDBOX_ENDPOINT: "sandbox"}.get(endpoint, "custom")
    return Check(
        "endpoint", "ok", f"{kind}: {endpoint}", facts={"endpoint": endpoint, "kind": kind}
    )


def _tls_check(endpoint: str, env: Mapping[str, str]) -> Check:
    """What ``requests`` does for this endpoint: the CA bundle it verifies with, its proxy."""
    if urlsplit(endpoint).scheme == "http":
        found = "plain http to a loopback address: no TLS, no proxy (the environment is ignored)"
        return Check("tls", "ok", found, facts={"verify": False, "ca_bundle": None, "proxy": None})
    named = [(v, env[v]) for v in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE") if env.get(v)]
    variable, bundle = named[0] if named else ("certifi", requests.utils.DEFAULT_CA_BUNDLE_PATH)
    proxies = requests.utils.get_environ_proxies(endpoint)
    proxy = proxies.get("https") or proxies.get("all")
    shown_proxy = _without_password(proxy) if proxy else None
    facts = {"verify": True, "ca_bundle": bundle, "ca_bundle_from": variable, "proxy": shown_proxy}
    found = f"certificates verified with {bundle} ({variable}); proxy: {shown_proxy or 'none'}"
    if not os.path.exists(bundle):
        fix = f"point {variable} at an existing PEM file of CA certificates, or unset it"
        error = NodeConfigError(f"the CA bundle {bundle} ({variable}) does not exist")
        return Check("tls", "fail", f"the CA bundle {bundle} ({variable}) does not exist", fix,
                     facts, error)  # fmt: skip
    return Check("tls", "ok", found, facts=facts)


def _without_password(url: str) -> str:
    """A URL (a proxy's, an endpoint) without the user and password it may carry."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return parts._replace(netloc=netloc).geturl()


def _api_checks(
    client: NodeClient,
    settings: Settings,
    server_ids: Sequence[str],
    clock: Callable[[], float],
) -> list[Check]:
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
