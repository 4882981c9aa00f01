"""What every node_pulumi dynamic provider shares: credentials from `configure`, never pickled.

Also the input checks the providers share. Two engine behaviours shape them: inputs not known
yet (during preview) arrive as `pulumi.output.Unknown` objects, at any depth of lists and dicts;
and every number crosses the wire as a float (``2001`` arrives as ``2001.0``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from pulumi.dynamic import CheckFailure, ConfigureRequest, ResourceProvider
from pulumi.output import Unknown

from ._settings import ConfigLookup, Settings, resolve_settings

SERVER_ID_MAX = 50


def is_unknown(value: Any) -> bool:
    """Whether ``value`` is an input the engine does not know yet (only during preview)."""
    return isinstance(value, Unknown)


def contains_unknown(value: Any) -> bool:
    """Whether ``value`` is, or holds at any depth, a value not known yet."""
    if is_unknown(value):
        return True
    if isinstance(value, Mapping):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(contains_unknown(v) for v in value)
    return False


def whole_number(value: Any) -> int | None:
    """``value`` as an int if it is a whole, finite number (not a bool), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
        return None
    return int(value)


def shown(value: Any) -> str:
    """``value`` for a check message, whole numbers as integers ("-5", not the wire's "-5.0")."""
    return repr(_ints(value))


def _ints(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Mapping):
        return {k: _ints(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_ints(v) for v in value]
    return value


def check_server_id(inputs: dict[str, Any]) -> list[CheckFailure]:
    """Validate ``inputs["server_id"]`` as the API's 50-character id; a whole number becomes one."""
    server_id = inputs.get("server_id")
    if server_id is None:
        return [CheckFailure("server_id", "server_id is required")]
    if is_unknown(server_id):
        return []
    if isinstance(server_id, int | float) and not isinstance(server_id, bool):
        number = whole_number(server_id)
        if number is None:
            return [
                CheckFailure(
                    "server_id", f"server_id must be a string or a whole number: {shown(server_id)}"
                )
            ]
        server_id = inputs["server_id"] = str(number)
    if not isinstance(server_id, str) or not server_id.strip():
        return [
            CheckFailure("server_id", f"server_id must be a non-empty string: {shown(server_id)}")
        ]
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
    if contains_unknown(new):
        return True
    return _canonical(old) != _canonical(new)


def _canonical(value: Any) -> str:
    return json.dumps(_ints(value), sort_keys=True, default=str)


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
