"""Settings resolution: a config look-up first, then the environment, then the default.

| stack config           | environment              | default                          |
|------------------------|--------------------------|----------------------------------|
| node:userId            | NODE_USER_ID             | none: required for any API call  |
| node:apiKey (secret)   | NODE_API_KEY             | none: required for any API call  |
| node:endpoint          | NODE_ENDPOINT            | the real API, or the published   |
| node:sandbox (bool)    | NODE_SANDBOX             |   sandbox when sandbox is true   |
| node:format            | NODE_FORMAT              | json                             |
| node:timeout           | NODE_TIMEOUT             | 20 (seconds, per request)        |
| node:clientIpAddress   | NODE_CLIENT_IP_ADDRESS   | unset                            |

An explicit endpoint wins over ``sandbox``. Values are checked when a client is made, so that
``pulumi preview`` works without any of them. Plain resolution only: where the config comes
from (a provider's `configure`, the plugin's, a running program's) is each caller's business.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .._api.errors import NodeConfigError
from .._api.transport import REAL_ENDPOINT, SANDBOX_ENDPOINT, NodeClient

ConfigLookup = Callable[[str], Any]

_TRUE = ("true", "1", "yes", "on")
_FALSE = ("false", "0", "no", "off", "")


@dataclass(frozen=True)
class _Setting:
    config_key: str
    env_var: str
    placeholder: str = "value"

    def describe(self) -> str:
        return f"stack config '{self.config_key}' or environment variable {self.env_var}"


USER_ID = _Setting("node:userId", "NODE_USER_ID", "user id")
API_KEY = _Setting("node:apiKey", "NODE_API_KEY", "api key")
ENDPOINT = _Setting("node:endpoint", "NODE_ENDPOINT")
SANDBOX = _Setting("node:sandbox", "NODE_SANDBOX")
FORMAT = _Setting("node:format", "NODE_FORMAT")
TIMEOUT = _Setting("node:timeout", "NODE_TIMEOUT")
CLIENT_IP_ADDRESS = _Setting("node:clientIpAddress", "NODE_CLIENT_IP_ADDRESS")

EXAMPLES = {
    USER_ID.config_key: "`pulumi config set node:userId <user id>`",
    API_KEY.config_key: "`pulumi config set --secret node:apiKey <api key>`",
}


@dataclass(frozen=True)
class Settings:
    """Resolved settings for one provider operation; `client` makes a `NodeClient` from them."""

    user_id: str | None
    api_key: str | None = field(repr=False)
    endpoint: str
    response_format: str
    timeout: float
    client_ip_address: str | None
    environment_only: bool = field(default=False, repr=False)
    """Resolved with no stack configuration to look in: a missing credential is named by its
    ``NODE_*`` variable alone."""
    advice: str = field(default="", repr=False)
    """Another way the caller can be given the credentials, added to the missing-credentials
    error (the command's ``--stack``)."""

    def client(self) -> NodeClient:
        """Return a client, or raise `NodeConfigError` naming what is missing."""
        missing = [s for s, v in ((USER_ID, self.user_id), (API_KEY, self.api_key)) if not v]
        if missing:
            if self.environment_only:
                named = [f"environment variable {s.env_var}" for s in missing]
                examples = [f"`export {s.env_var}=<{s.placeholder}>`" for s in missing]
            else:
                named = [s.describe() for s in missing]
                examples = [EXAMPLES[s.config_key] for s in missing]
            raise NodeConfigError(
                f"node.co.id credentials are missing: set {' and '.join(named)} (for example: "
                f"{'; '.join(examples)})" + (f"; or {self.advice}" if self.advice else "")
            )
        assert self.user_id is not None and self.api_key is not None
        return NodeClient(
            self.user_id,
            self.api_key,
            endpoint=self.endpoint,
            response_format=self.response_format,
            timeout=self.timeout,
        )


def resolve_settings(
    config: ConfigLookup | Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Resolve the settings from stack config (``"node:userId"``-style keys) and the environment
    (without ``config``: the environment alone)."""
    lookup: ConfigLookup
    if config is None:
        lookup = _no_config
    elif isinstance(config, Mapping):
        lookup = config.get
    else:
        lookup = config
    env = os.environ if environ is None else environ

    def get(setting: _Setting) -> str | None:
        value = lookup(setting.config_key)
        if value is None or value == "":
            value = env.get(setting.env_var) or None
        return None if value is None else str(value)

    endpoint = get(ENDPOINT)
    if endpoint is None:
        endpoint = SANDBOX_ENDPOINT if _parse_bool(SANDBOX, get(SANDBOX)) else REAL_ENDPOINT
    response_format = (get(FORMAT) or "json").lower()
    if response_format not in ("json", "xml"):
        raise NodeConfigError(
            f"{FORMAT.describe()} must be 'json' or 'xml', not {response_format!r}"
        )
    return Settings(
        user_id=get(USER_ID),
        api_key=get(API_KEY),
        endpoint=endpoint,
        response_format=response_format,
        timeout=_parse_timeout(get(TIMEOUT)),
        client_ip_address=get(CLIENT_IP_ADDRESS),
        environment_only=config is None,
    )


def _no_config(_key: str) -> None:
    return None


def _parse_bool(setting: _Setting, value: str | None) -> bool:
    text = (value or "").strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise NodeConfigError(f"{setting.describe()} must be true or false, not {value!r}")


def _parse_timeout(value: str | None) -> float:
    if value is None:
        return 20.0
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0.0
    if not seconds > 0 or seconds != seconds or seconds == float("inf"):
        raise NodeConfigError(f"{TIMEOUT.describe()} must be a positive number, not {value!r}")
    return seconds
