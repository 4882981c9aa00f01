"""What only works inside a running Pulumi program, shared by the dynamic resources, the hook and
`node_pulumi.native`: the stack's config through `pulumi.runtime`, warnings on the stack, and
preview's unknown results, and the look-up's secret fields.

The provider processes (the dynamic provider, the plugin) never call these: they receive the
config in ``configure`` instead.
"""

from __future__ import annotations

import functools
from typing import Any

import pulumi
from pulumi.runtime import get_config, is_config_secret

from ._core.secret_fields import SECRET_RECORD_FIELDS
from ._core.settings import API_KEY, EXAMPLES, Settings, resolve_settings


def program_settings() -> Settings:
    """Resolve the settings inside a Pulumi program (for lookups and hooks), from its config."""
    warn_if_api_key_in_plaintext()
    return resolve_settings(get_config)


@functools.cache  # once per program run, however many resources, hooks and look-ups use it
def warn_if_api_key_in_plaintext() -> None:
    """Warn on the stack when ``node:apiKey`` is set in stack config without ``--secret``.

    Only the program can tell: the provider process receives the config already decrypted.
    """
    if get_config(API_KEY.config_key) and not is_config_secret(API_KEY.config_key):
        pulumi.log.warn(
            f"stack config '{API_KEY.config_key}' is stored in plaintext in the stack's settings "
            f"file; make it a secret: {EXAMPLES[API_KEY.config_key]}"
        )


def unknown_in_preview(has_credentials: bool) -> pulumi.Output[Any] | None:
    """In a preview without credentials (pull-request CI), warn and return an unknown result for
    a look-up; otherwise None. Shared by both doors' ``get_snapshots``."""
    if has_credentials or not pulumi.runtime.is_dry_run():
        return None
    pulumi.log.warn(
        "get_snapshots: no node.co.id credentials in this preview, so its result is unknown "
        "until `pulumi up`"
    )
    return pulumi.Output(set(), _resolved([]), _resolved(False))


async def _resolved(value: Any) -> Any:
    return value


def with_secret_fields(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``records`` with each secret field (`SECRET_RECORD_FIELDS`: the download URL) a secret
    ``Output`` of its value, in both doors' ``get_snapshots``. Returned from an ``apply``, which
    does not lift Outputs nested in a plain value, so only those fields are secret: exported,
    they show ``[secret]`` while the rest of each record stays readable."""
    return [
        {k: pulumi.Output.secret(v) if k in SECRET_RECORD_FIELDS else v for k, v in r.items()}
        for r in records
    ]
