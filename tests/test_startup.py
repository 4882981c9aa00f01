"""What the `node-pulumi` command and the `pulumi-resource-node` plugin load: no door they do not
use (the package face is lazy, PEP 562), and the face still gives every public name.

Each process is the installed console script, run with ``PYTHONPROFILEIMPORTTIME=1`` (the
environment's ``-X importtime``), which lists on stderr every module the process imports.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

import node_pulumi

BIN = Path(sys.executable).parent
DOORS = ("node_pulumi._dynamic", "node_pulumi.native", "node_pulumi._program", "pulumi.dynamic")


def imported(stderr: str) -> set[str]:
    """The modules a ``PYTHONPROFILEIMPORTTIME`` process listed on its stderr."""
    return {
        line.rsplit("|", 1)[-1].strip()
        for line in stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }


def profiled() -> dict[str, str]:
    return {**os.environ, "PYTHONPROFILEIMPORTTIME": "1"}


def started(command: list[str]) -> set[str]:
    """The modules ``command`` (a process that prints a port first, as the plugin does) has
    imported by the time it prints its port."""
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=profiled()
    )
    try:
        assert process.stdout is not None
        assert int(process.stdout.readline()) > 0
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=60)
    return imported(stderr)


def of(modules: set[str], prefixes: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == p or m.startswith(f"{p}.") for p in prefixes))


def test_the_command_s_help_loads_no_door_and_no_pulumi_sdk() -> None:
    done = subprocess.run(
        [str(BIN / "node-pulumi"), "--help"],
        capture_output=True,
        text=True,
        env=profiled(),
        timeout=120,
        check=True,
    )
    modules = imported(done.stderr)
    assert "node_pulumi._cli" in modules and "node_pulumi._core.restore" in modules
    # The command reads stacks through the pulumi CLI, never the SDK (test_layers.py).
    assert of(modules, (*DOORS, "node_pulumi._plugin", "pulumi", "grpc")) == []


def test_the_plugin_loads_no_dynamic_door_by_the_time_it_prints_its_port() -> None:
    """Nothing of the dynamic door but what the Pulumi SDK's own face loads: its
    ``pulumi/__init__.py`` imports ``pulumi.dynamic`` (3.x), and the plugin cannot use
    ``pulumi.runtime`` without it. Should the SDK stop, the plugin must not load it either."""
    modules = started([str(BIN / "pulumi-resource-node")])
    assert "node_pulumi._plugin.server" in modules
    sdk = subprocess.run(
        [sys.executable, "-c", "import pulumi"],
        capture_output=True,
        text=True,
        env=profiled(),
        timeout=120,
        check=True,
    )
    assert of(modules, (*DOORS, "node_pulumi._cli")) == of(imported(sdk.stderr), DOORS)


def test_the_package_face_gives_every_public_name_from_its_own_module() -> None:
    code = "import sys, node_pulumi; print(sorted(m for m in sys.modules if 'dynamic' in m))"
    bare = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert bare.stdout.strip() == "[]", "import node_pulumi loads a door"
    for name in node_pulumi.__all__:
        value = getattr(node_pulumi, name)
        home = getattr(value, "__module__", None)
        assert home is None or home.startswith("node_pulumi."), name
    assert set(node_pulumi.__all__) <= set(dir(node_pulumi))
    with pytest.raises(AttributeError, match="no attribute 'Snapshots'"):
        _ = node_pulumi.Snapshots  # type: ignore[attr-defined]


def test_a_provider_pickled_by_its_old_path_still_loads_in_a_fresh_process() -> None:
    """A dynamic resource's state holds its provider pickled by reference; 0.1.0 pickled it as
    ``node_pulumi._snapshot.SnapshotProvider`` (see the shim)."""
    from node_pulumi._snapshot import SnapshotProvider

    pickled = pickle.dumps(SnapshotProvider())
    assert b"node_pulumi._dynamic.snapshot" in pickled
    code = "import pickle, sys; p = pickle.loads(sys.stdin.buffer.read()); print(type(p).__name__)"
    loaded = subprocess.run(
        [sys.executable, "-c", code], input=pickled, capture_output=True, check=True
    )
    assert loaded.stdout.decode().strip() == "SnapshotProvider"
