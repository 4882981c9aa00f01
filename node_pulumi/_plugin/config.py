"""Provider configuration: `CheckConfig` and `Configure` translated to the shared settings.

The default provider gets the stack's ``node:*`` config; an explicit provider resource gets its
own inputs (same camelCase keys). Either way, what is not set falls back to the environment at
call time through `resolve_settings`, so a preview needs no credentials.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi.runtime import rpc

from .._core.inputs import contains_unknown
from .._core.settings import Settings, resolve_settings
from .schema import CONFIG, PACKAGE

SECRET_KEYS = frozenset(k for k, v in CONFIG.items() if v.get("secret"))


def checked_config(news: Mapping[str, Any]) -> dict[str, Any]:
    """The provider's inputs as the engine should store them: the API key always as a secret.

    A key set without ``--secret`` (or passed in plaintext to an explicit provider) would
    otherwise land in plaintext in the provider's state.
    """
    return {
        k: rpc.wrap_rpc_secret(v) if k in SECRET_KEYS and v is not None else v
        for k, v in news.items()
    }


class ProviderConfig:
    """The configuration one `Configure` call gave, resolved into `Settings` when an API call is
    made (never before, so that a preview needs none of it)."""

    def __init__(self) -> None:
        self._values: dict[str, Any] = {}

    def configure(self, args: Mapping[str, Any], variables: Mapping[str, str]) -> None:
        """Keep ``args`` (camelCase keys) or, from an engine that sends only ``variables``,
        those (``node:config:userId``-style keys). Values not known yet are left out."""
        values: dict[str, Any] = {}
        if args:
            for key, value in args.items():
                values[f"{PACKAGE}:{key}"] = rpc.unwrap_rpc_secret(value)
        else:
            for key, value in variables.items():
                values[key.replace(f"{PACKAGE}:config:", f"{PACKAGE}:", 1)] = value
        self._values = {
            k: v for k, v in values.items() if v is not None and not contains_unknown(v)
        }

    def settings(self) -> Settings:
        """Resolve the settings now: this provider's configuration, then environment, defaults."""
        return resolve_settings(self._get)

    def _get(self, key: str) -> Any:
        value = self._values.get(key)
        if isinstance(value, bool):  # the schema types `sandbox` as a boolean
            return "true" if value else "false"
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return value
