"""node-pulumi: snapshots of node.co.id servers as Pulumi resources.

```python
import node_pulumi as node
snap = node.Snapshot("before-deploy", server_id="12345", triggers=[release])
```

Going back (an Automation API script, or the ``node-pulumi restore`` command):
``node.restore_server("12345", snapshot_id)``.

The package's face is lazy (PEP 562): ``node_pulumi.X`` imports the module that defines ``X`` on
first use, so that the ``node-pulumi`` command and the ``pulumi-resource-node`` plugin, which
import parts of this package, never load the dynamic door (``pulumi.dynamic``) they do not use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.2.0"  # the one place: packaging metadata, the plugin, its schema and
# pulumi-plugin.json (written from it by tools/gen-sdk.sh), the SDKs and the release read it

if TYPE_CHECKING:
    from ._api.errors import (
        NodeApiError,
        NodeCancelledError,
        NodeConfigError,
        NodeDecodeError,
        NodeError,
        NodeInputError,
        NodeNotTheApiError,
        NodeTransportError,
        SnapshotFailedError,
        SnapshotNotFoundError,
        SnapshotTimeoutError,
        SnapshotUncertainError,
        SnapshotWaitCancelled,
        SnapshotWaitError,
    )
    from ._api.transport import REAL_ENDPOINT, SANDBOX_ENDPOINT, NodeClient
    from ._core.restore import DEFAULT_RESTORE_TIMEOUT, latest_snapshot, restore_server
    from ._core.restore_errors import (
        RestoreCancelledError,
        RestoreError,
        RestoreFailedError,
        RestoreRefusedError,
        RestoreTimeoutError,
        RestoreUncertainError,
        RestoreWaitError,
    )
    from ._core.restore_events import RestoreEvent, RestorePlan, RestoreResult
    from ._core.settings import Settings, resolve_settings
    from ._dynamic.hooks import snapshot_before_update
    from ._dynamic.lookup import get_snapshots
    from ._dynamic.rotating import RotatingSnapshot, RotatingSnapshotProvider
    from ._dynamic.schedule import SnapshotSchedule, SnapshotScheduleProvider
    from ._dynamic.snapshot import Snapshot, SnapshotProvider

_HOMES: dict[str, str] = {
    **dict.fromkeys(
        (
            "NodeApiError",
            "NodeCancelledError",
            "NodeConfigError",
            "NodeDecodeError",
            "NodeError",
            "NodeInputError",
            "NodeNotTheApiError",
            "NodeTransportError",
            "SnapshotFailedError",
            "SnapshotNotFoundError",
            "SnapshotTimeoutError",
            "SnapshotUncertainError",
            "SnapshotWaitCancelled",
            "SnapshotWaitError",
        ),
        "._api.errors",
    ),
    **dict.fromkeys(("REAL_ENDPOINT", "SANDBOX_ENDPOINT", "NodeClient"), "._api.transport"),
    **dict.fromkeys(
        ("DEFAULT_RESTORE_TIMEOUT", "latest_snapshot", "restore_server"), "._core.restore"
    ),
    **dict.fromkeys(
        (
            "RestoreCancelledError",
            "RestoreError",
            "RestoreFailedError",
            "RestoreRefusedError",
            "RestoreTimeoutError",
            "RestoreUncertainError",
            "RestoreWaitError",
        ),
        "._core.restore_errors",
    ),
    **dict.fromkeys(("RestoreEvent", "RestorePlan", "RestoreResult"), "._core.restore_events"),
    **dict.fromkeys(("Settings", "resolve_settings"), "._core.settings"),
    **dict.fromkeys(("snapshot_before_update",), "._dynamic.hooks"),
    **dict.fromkeys(("get_snapshots",), "._dynamic.lookup"),
    **dict.fromkeys(("RotatingSnapshot", "RotatingSnapshotProvider"), "._dynamic.rotating"),
    **dict.fromkeys(("SnapshotSchedule", "SnapshotScheduleProvider"), "._dynamic.schedule"),
    **dict.fromkeys(("Snapshot", "SnapshotProvider"), "._dynamic.snapshot"),
}
"""Each public name, and the module (relative to this package) that defines it."""

__all__ = [
    "DEFAULT_RESTORE_TIMEOUT",
    "REAL_ENDPOINT",
    "SANDBOX_ENDPOINT",
    "NodeApiError",
    "NodeCancelledError",
    "NodeClient",
    "NodeConfigError",
    "NodeDecodeError",
    "NodeError",
    "NodeInputError",
    "NodeNotTheApiError",
    "NodeTransportError",
    "RestoreCancelledError",
    "RestoreError",
    "RestoreEvent",
    "RestoreFailedError",
    "RestorePlan",
    "RestoreRefusedError",
    "RestoreResult",
    "RestoreTimeoutError",
    "RestoreUncertainError",
    "RestoreWaitError",
    "RotatingSnapshot",
    "RotatingSnapshotProvider",
    "Settings",
    "Snapshot",
    "SnapshotFailedError",
    "SnapshotNotFoundError",
    "SnapshotProvider",
    "SnapshotSchedule",
    "SnapshotScheduleProvider",
    "SnapshotTimeoutError",
    "SnapshotUncertainError",
    "SnapshotWaitCancelled",
    "SnapshotWaitError",
    "get_snapshots",
    "latest_snapshot",
    "resolve_settings",
    "restore_server",
    "snapshot_before_update",
]


def __getattr__(name: str) -> Any:
    """Import a public name's module on first use (PEP 562), and keep the name here."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
