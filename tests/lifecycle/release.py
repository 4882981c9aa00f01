"""The release as a user gets it, for the plugin acquisition tests (test_plugin_acquisition.py):
the wheel, the plugin tarballs and their checksums file (scripts/release.py), a wheelhouse that
stands in for the package index. The loopback HTTP server that stands in for the GitHub release
is the dry run's own (`scripts.releasing.cli_install.serve`).

The engine builds a downloaded plugin's virtualenv with pip (Pulumi's Python host runs
``pip install -r requirements.txt``); a stack's environment (``offline_pip``) points pip at the
wheelhouse only, so that no test reaches the package index.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]
UPGRADED = ("pip", "setuptools", "wheel", "packaging")  # what the host upgrades in a new venv


def build_wheel(out: Path) -> Path:
    """The wheel of this checkout (`pip wheel --no-deps`), in ``out``."""
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(ROOT)],
        check=True,
    )
    (wheel,) = out.glob("node_pulumi-*.whl")
    return wheel


def build_wheelhouse(wheel: Path, out: Path) -> Path:
    """Every wheel the plugin's virtualenv needs (the package's dependencies, and pip,
    setuptools and wheel, which Pulumi's Python host upgrades in a new virtualenv), in ``out``.

    This is the one step that reaches the package index (pip's cache serves it once warm).
    """
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "-w",
            str(out),
            str(wheel),
            "pip",
            "setuptools",
            "wheel",
            "packaging",
        ],
        check=True,
    )
    return out


def offline_pip(wheelhouse: Path) -> dict[str, str]:
    """Environment for pip to install only from ``wheelhouse``, never from an index."""
    return {"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(wheelhouse)}
