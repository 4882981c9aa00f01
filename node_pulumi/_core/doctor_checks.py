"""The checks of ``node-pulumi doctor`` that need no API call: each setting and where it came
from, the endpoint, TLS (the CA bundle and proxy ``requests`` uses); and `Check`, the result
every check gives (`node_pulumi._core.doctor` runs them all)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

import requests.utils

from .._api.errors import NodeConfigError, NodeError
from .._api.transport import REAL_ENDPOINT, SANDBOX_ENDPOINT, check_endpoint
from .settings import (
    API_KEY,
    CLIENT_IP_ADDRESS,
    ENDPOINT,
    EXAMPLES,
    FORMAT,
    SANDBOX,
    TIMEOUT,
    USER_ID,
)

Status = Literal["ok", "warn", "fail"]
SETTINGS = (USER_ID, API_KEY, ENDPOINT, SANDBOX, FORMAT, TIMEOUT, CLIENT_IP_ADDRESS)
"""Every setting, in the order the checks list them."""
_DEFAULTS = {
    USER_ID.config_key: "none",
    API_KEY.config_key: "none",
    ENDPOINT.config_key: REAL_ENDPOINT + " (or the sandbox's, with node:sandbox)",
    SANDBOX.config_key: "false",
    FORMAT.config_key: "json",
    TIMEOUT.config_key: "20",
    CLIENT_IP_ADDRESS.config_key: "unset",
}


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


def setting_check(setting: Any, config: Mapping[str, Any], env: Mapping[str, str]) -> Check:
    """Where ``setting`` came from and its value (never the API key's)."""
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
        value = without_password(value)  # refused by the client, never shown
    facts = {"key": key, "variable": variable, "source": source}
    if setting is not API_KEY:
        facts["value"] = None if source == "default" else value
    name = f"setting {key}"
    if setting in (USER_ID, API_KEY) and source == "default":
        fix = f"set {setting.describe()} (for example: {EXAMPLES[key]})"
        error = NodeConfigError(f"{key} is not set: {fix}")
        return Check(name, "fail", "not set", fix, facts, error)
    return Check(name, "ok", f"{value} ({source})", facts=facts)


def endpoint_check(endpoint: str) -> Check:
    """Which endpoint: production, the published sandbox, or custom (a local sandbox)."""
    try:
        endpoint = check_endpoint(endpoint)
    except NodeConfigError as exc:
        fix = f"set {ENDPOINT.describe()} to an https:// URL of the API"
        shown = without_password(endpoint)
        found = str(exc).replace(endpoint, shown)
        return Check("endpoint", "fail", found, fix, {"endpoint": shown}, NodeConfigError(found))
    kind = {REAL_ENDPOINT: "production", SANDBOX_ENDPOINT: "sandbox"}.get(endpoint, "custom")
    return Check(
        "endpoint", "ok", f"{kind}: {endpoint}", facts={"endpoint": endpoint, "kind": kind}
    )


def tls_check(endpoint: str, env: Mapping[str, str]) -> Check:
    """What ``requests`` does for this endpoint: the CA bundle it verifies with, its proxy."""
    if urlsplit(endpoint).scheme == "http":
        found = "plain http to a loopback address: no TLS, no proxy (the environment is ignored)"
        return Check("tls", "ok", found, facts={"verify": False, "ca_bundle": None, "proxy": None})
    named = [(v, env[v]) for v in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE") if env.get(v)]
    variable, bundle = named[0] if named else ("certifi", requests.utils.DEFAULT_CA_BUNDLE_PATH)
    proxies = requests.utils.get_environ_proxies(endpoint)
    proxy = proxies.get("https") or proxies.get("all")
    shown_proxy = without_password(proxy) if proxy else None
    facts = {"verify": True, "ca_bundle": bundle, "ca_bundle_from": variable, "proxy": shown_proxy}
    found = f"certificates verified with {bundle} ({variable}); proxy: {shown_proxy or 'none'}"
    if not os.path.exists(bundle):
        fix = f"point {variable} at an existing PEM file of CA certificates, or unset it"
        error = NodeConfigError(f"the CA bundle {bundle} ({variable}) does not exist")
        return Check("tls", "fail", f"the CA bundle {bundle} ({variable}) does not exist", fix,
                     facts, error)  # fmt: skip
    return Check("tls", "ok", found, facts=facts)


def without_password(url: str) -> str:
    """A URL (a proxy's, an endpoint) without the user and password it may carry."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return parts._replace(netloc=netloc).geturl()
