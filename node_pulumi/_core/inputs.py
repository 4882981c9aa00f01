"""Input checks and input comparison that both front doors share, on snake_case keys.

Checks need no API call and no credentials, so preview reports bad input. Two engine behaviours
shape them: inputs not known yet (during preview) arrive as `pulumi.output.Unknown` objects, at
any depth of lists and dicts; and every number crosses the wire as a float (``2001`` arrives as
``2001.0``). Each check returns `Failure`s naming the snake_case input and may normalise
``inputs`` in place (a whole-number server id becomes a string, an age an int); each door turns
them into its own kind (the dynamic door's ``CheckFailure``, the plugin's ``CheckFailure``
message).
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .._api.errors import NodeInputError

SERVER_ID_MAX = 50
DEFAULT_WAIT_TIMEOUT = 1800.0

# Snapshot inputs whose change means a new snapshot, and inputs that only steer the waiting.
REPLACING_INPUTS = ("server_id", "triggers")
LOCAL_INPUTS = ("wait_until_active", "wait_timeout")

# Each schedule input's cycle name in the API: daily_max_age -> daily_snapshot(_max_age).
AGE_INPUTS = {"daily_max_age": "daily", "weekly_max_age": "weekly", "monthly_max_age": "monthly"}
MAX_AGE_LIMIT = 99  # the API takes at most two digits

LIST_SERVER_ID_MAX = 20  # get_snapshot_list's server_id filter is shorter than a resource's
LIST_STATUSES = ("all", "processing", "active", "deleted")
LIST_CYCLES = ("all", "manual", "daily", "weekly", "monthly")


@dataclass(frozen=True)
class Failure:
    """One input that fails its check: the snake_case input's name and why, for the user."""

    property: str
    reason: str


def is_unknown(value: Any) -> bool:
    """Whether ``value`` is an input the engine does not know yet (only during preview).

    Only a process that has loaded the Pulumi SDK can hold an `Unknown`, so the core looks the
    class up rather than import it: the ``node-pulumi`` command, which checks inputs with these
    functions too, never loads the SDK.
    """
    output = sys.modules.get("pulumi.output")
    return output is not None and isinstance(value, output.Unknown)


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


def check_server_id(
    inputs: dict[str, Any], *, required: bool = True, max_length: int = SERVER_ID_MAX
) -> list[Failure]:
    """Validate ``inputs["server_id"]`` as the API's id (at most ``max_length`` characters); a
    whole number becomes one (``2001.0``, as the engine sends ``2001``, becomes ``"2001"``).
    Without ``required`` an absent (None) server id passes."""
    server_id = inputs.get("server_id")
    if server_id is None:
        return [Failure("server_id", "server_id is required")] if required else []
    if is_unknown(server_id):
        return []
    if isinstance(server_id, int | float) and not isinstance(server_id, bool):
        number = whole_number(server_id)
        if number is None:
            return [
                Failure(
                    "server_id", f"server_id must be a string or a whole number: {shown(server_id)}"
                )
            ]
        server_id = inputs["server_id"] = str(number)
    if not isinstance(server_id, str) or not server_id.strip():
        return [Failure("server_id", f"server_id must be a non-empty string: {shown(server_id)}")]
    if len(server_id) > max_length:
        return [
            Failure(
                "server_id",
                f"server_id is {len(server_id)} characters long; the API accepts at most "
                f"{max_length}",
            )
        ]
    return []


def check_snapshot(inputs: dict[str, Any]) -> list[Failure]:
    """Validate a snapshot's inputs: server_id, wait_until_active, wait_timeout, triggers."""
    failures = check_server_id(inputs)
    wait = inputs.get("wait_until_active", True)
    if not is_unknown(wait) and not isinstance(wait, bool):
        failures.append(
            Failure("wait_until_active", f"wait_until_active must be true or false: {shown(wait)}")
        )
    timeout = inputs.get("wait_timeout", DEFAULT_WAIT_TIMEOUT)
    if not is_unknown(timeout) and not _is_positive_number(timeout):
        failures.append(
            Failure(
                "wait_timeout",
                f"wait_timeout must be a positive number of seconds: {shown(timeout)}",
            )
        )
    if "triggers" in inputs:
        try:
            json.dumps(inputs["triggers"], allow_nan=False, default=_unknown_as_null)
        except (TypeError, ValueError) as exc:
            failures.append(
                Failure("triggers", f"triggers must be JSON-serialisable values: {exc}")
            )
    return failures


def snapshot_changes(
    olds: Mapping[str, Any], news: Mapping[str, Any]
) -> tuple[list[str], list[str]]:
    """The snapshot inputs that changed: those that replace it, and wait settings (in place)."""
    replaces = [k for k in REPLACING_INPUTS if changed(olds.get(k), news.get(k))]
    local = [
        k
        for k in LOCAL_INPUTS
        if changed(_with_default(k, olds.get(k)), _with_default(k, news.get(k)))
    ]
    return replaces, local


def check_schedule(inputs: dict[str, Any]) -> list[Failure]:
    """Validate a schedule's server id and ages (whole numbers 1..99, or absent for off)."""
    failures = check_server_id(inputs)
    for name, cycle in AGE_INPUTS.items():
        age = inputs.get(name)
        if age is None or is_unknown(age):
            continue
        whole = whole_number(age)
        if whole is None or not 1 <= whole <= MAX_AGE_LIMIT:
            failures.append(
                Failure(
                    name,
                    f"{name} must be a whole number of {cycle} cycles from 1 to "
                    f"{MAX_AGE_LIMIT}, or None to turn {cycle} snapshots off: {shown(age)}",
                )
            )
        else:
            inputs[name] = whole
    return failures


def schedule_changes(
    olds: Mapping[str, Any], news: Mapping[str, Any]
) -> tuple[list[str], list[str]]:
    """The schedule inputs that changed: a new server replaces it; new ages update in place."""
    replaces = ["server_id"] if changed(olds.get("server_id"), news.get("server_id")) else []
    ages = [k for k in AGE_INPUTS if changed(schedule_age(olds.get(k)), schedule_age(news.get(k)))]
    return replaces, ages


def schedule_age(value: Any) -> Any:
    """An age as the API means it: None (off) for absent or 0; a value not yet known stays so."""
    if value is None or is_unknown(value):
        return value
    return int(value) or None


def check_lookup(args: dict[str, Any]) -> list[Failure]:
    """Validate get_snapshots' arguments (snake_case keys), in both doors alike and before any
    credentials are needed, so a preview reports them: ``status`` and ``cycle`` (defaults
    ``active`` and ``all`` are filled in) and the optional ``server_id``, normalised in place as
    a resource's is (``12345``, which the engine sends as ``12345.0``, asks for ``"12345"``), at
    most `LIST_SERVER_ID_MAX` characters as get_snapshot_list takes it."""
    status = args.setdefault("status", "active")
    cycle = args.setdefault("cycle", "all")
    failures = check_server_id(args, required=False, max_length=LIST_SERVER_ID_MAX)
    if not is_unknown(status) and status not in LIST_STATUSES:
        failures.append(
            Failure("status", f"status must be one of {', '.join(LIST_STATUSES)}, not {status!r}")
        )
    if not is_unknown(cycle) and cycle not in LIST_CYCLES:
        failures.append(
            Failure("cycle", f"cycle must be one of {', '.join(LIST_CYCLES)}, not {cycle!r}")
        )
    return failures


def lookup_arguments(**args: Any) -> dict[str, Any]:
    """get_snapshots' arguments checked and normalised (`check_lookup`) for a Python program:
    `NodeInputError` for any that fails, at once, also in a preview without credentials. Both
    Python doors call it; the plugin checks what other languages send with `check_lookup`."""
    checked = {k: v for k, v in args.items() if v is not None}
    failures = check_lookup(checked)
    if failures:
        raise NodeInputError("get_snapshots", [(f.property, f.reason) for f in failures])
    return checked


def changed(old: Any, new: Any) -> bool:
    """Whether an input changed for ``diff``: a value not known yet (preview) counts as changed."""
    if contains_unknown(new):
        return True
    return _canonical(old) != _canonical(new)


def _canonical(value: Any) -> str:
    return json.dumps(_ints(value), sort_keys=True, default=str)


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
