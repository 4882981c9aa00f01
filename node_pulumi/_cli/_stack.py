"""A Pulumi stack's configuration and outputs, read through the ``pulumi`` CLI.

``node-pulumi --stack NAME`` takes its settings from the stack (``pulumi config --json
--show-secrets``: secrets arrive decrypted, so the output is parsed and never shown), and
``restore --from-output NAME`` a snapshot id from ``pulumi stack output --json --show-secrets``.
The CLI runs in ``--cwd`` (the Pulumi project's directory) with this process's environment, so
``PULUMI_BACKEND_URL``, ``PULUMI_CONFIG_PASSPHRASE`` or ``PULUMI_ACCESS_TOKEN`` apply as usual.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import replace
from typing import Any

from .._api.errors import NodeError
from .._core.settings import Settings, resolve_settings

PULUMI_TIMEOUT = 120.0
"""Seconds one ``pulumi`` command may take (a remote backend can be slow, never this slow)."""


class StackError(NodeError):
    """The stack could not be read: no ``pulumi`` CLI, a failing command, no such output.

    Its text quotes the CLI's error output, never its standard output (which holds secrets).
    """


def stack_config(stack: str, cwd: str | None) -> dict[str, str]:
    """The stack's configuration as ``{"node:userId": "...", ...}``, secrets decrypted.

    Only plain values are kept (structured ones are no settings of ours).
    """
    config = _json(_pulumi(["config", "--json", "--show-secrets", "--stack", stack], cwd), stack)
    return {
        str(key): entry["value"]
        for key, entry in config.items()
        if isinstance(entry, dict) and isinstance(entry.get("value"), str)
    }


def stack_output(stack: str, cwd: str | None, name: str) -> str:
    """The stack output ``name``, which must be a non-empty string (a snapshot id)."""
    outputs = _json(
        _pulumi(["stack", "output", "--json", "--show-secrets", "--stack", stack], cwd), stack
    )
    if name not in outputs:
        names = ", ".join(sorted(map(str, outputs))) or "none"
        raise StackError(f"stack {stack} has no output {name!r} (its outputs: {names})")
    value = outputs[name]
    if not isinstance(value, str) or not value:
        raise StackError(
            f"stack {stack}'s output {name!r} is not a snapshot id: a non-empty string is needed"
        )
    return value


def _pulumi(args: list[str], cwd: str | None) -> str:
    executable = shutil.which("pulumi")
    if executable is None:
        raise StackError(
            "the pulumi CLI is not on PATH: --stack and --from-output read the stack through it"
        )
    shown = " ".join(args[:2])
    try:
        result = subprocess.run(  # noqa: S603 - the pulumi CLI, with our own arguments
            [executable, *args, "--non-interactive"],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=PULUMI_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise StackError(f"`pulumi {shown}` could not run: {exc}") from None
    if result.returncode != 0:
        lines = [line for line in result.stderr.strip().splitlines() if line.strip()]
        said = "; ".join(lines[-3:]) or "no error output"
        raise StackError(f"`pulumi {shown}` failed (exit status {result.returncode}): {said}")
    return result.stdout


def _json(text: str, stack: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise StackError(f"the pulumi CLI did not answer a JSON object for stack {stack}")
    return value


def settings_for(stack: str | None, cwd: str | None) -> Settings:
    """The settings as the providers resolve them: the stack's configuration first (with
    ``stack``), then the ``NODE_*`` environment variables, then the defaults. Without ``stack``
    missing credentials are named by their variables, and ``--stack`` suggested."""
    if stack is not None:
        return resolve_settings(stack_config(stack, cwd))
    return replace(
        resolve_settings(),
        advice="take them from a stack's configuration with --stack NAME",
    )
