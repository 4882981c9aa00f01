"""node-pulumi: snapshots of node.co.id servers as Pulumi resources.

```python
import node_pulumi as node
snap = node.Snapshot("before-deploy", server_id="12345", triggers=[release])
```

Going back (an Automation API script, or the ``node-pulumi restore`` command):
``node.restore_server("12345", snapshot_id)``.
"""

__version__ = "0.2.0"  # the one place: packaging metadata, the plugin, its schema and
# pulumi-plugin.json (written from it by tools/gen-sdk.sh), the SDKs and the release read it

from ._api.errors import (
    NodeApiError,
    NodeCancelledError,
    NodeConfigError,
    NodeDecodeError,
    NodeError,
    NodeInputError,
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
