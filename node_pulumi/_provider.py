"""What every node_pulumi dynamic provider shares: credentials from `configure`, never pickled."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pulumi.dynamic import CheckFailure, ConfigureRequest, ResourceProvider

from ._settings import ConfigLookup, Settings, resolve_settings

# pulumi.dynamic marks a not-yet-known input (during preview) with this value.
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

SERVER_ID_MAX = 50


def check_server_id(inputs: dict[str, Any]) -> list[CheckFailure]:
    """Validate ``inputs["server_id"]`` as the API's 50-character id; a number becomes a string."""
    server_id = inputs.get("server_id")
    if isinstance(server_id, int) and not isinstance(server_id, bool):
        server_id = inputs["server_id"] = str(server_id)
    if server_id is None:
        return [CheckFailure("server_id", "server_id is required")]
    if server_id == UNKNOWN:
        return []
    if not isinstance(server_id, str) or not server_id.strip():
        return [CheckFailure("server_id", f"server_id must be a non-empty string: {server_id!r}")]
    if len(server_id) > SERVER_ID_MAX:
        return [
            CheckFailure(
                "server_id",
                f"server_id is {len(server_id)} characters long; the API accepts at most "
                f"{SERVER_ID_MAX}",
            )
        ]
    return []


def changed(old: Any, new: Any) -> bool:
    """Whether an input changed for ``diff``: a value not known yet (preview) counts as changed."""
    if _contains_unknown(new):
        return True
    return _canonical(old) != _canonical(new)


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _contains_unknown(value: Any) -> bool:
    if value == UNKNOWN:
        return True
    if isinstance(value, Mapping):
        return any(_contains_unknown(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_contains_unknown(v) for v in value)
    return False


class NodeProvider(ResourceProvider):
    """Base provider: settings come from the stack config given to `configure`, or the environment.

    The instance is pickled into state when a resource is declared. The stack config (which holds
    the API key) only arrives later, in the provider process, and is left out of the pickled state
    by `__getstate__`, so a configured provider pickles to the same few bytes as a fresh one.
    """

    _config: ConfigLookup | None = None

    def configure(self, req: ConfigureRequest) -> None:
        self._config = req.config.get

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_config", None)
        return state

    def settings(self) -> Settings:
        """Resolve the settings now: stack config, then environment, then defaults."""
        return resolve_settings(self._config)
