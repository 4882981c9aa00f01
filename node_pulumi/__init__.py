"""node-pulumi: snapshots of node.co.id servers as Pulumi resources.

```python
import node_pulumi as node
snap = node.Snapshot("before-deploy", server_id="12345", triggers=[release])
```
"""

__version__ = "0.1.0"  # the one place: packaging metadata and the plugin read it

from ._client import REAL_ENDPOINT, SANDBOX_ENDPOINT, NodeClient
from ._errors import (
    NodeApiError,
    NodeConfigError,
    NodeDecodeError,
    NodeError,
    NodeTransportError,
    SnapshotFailedError,
    SnapshotNotFoundError,
    SnapshotTimeoutError,
    SnapshotUncertainError,
    SnapshotWaitError,
)
from ._hooks import snapshot_before_update
from ._lookup import get_snapshots
from ._schedule import SnapshotSchedule, SnapshotScheduleProvider
from ._settings import Settings, resolve_settings
from ._snapshot import Snapshot, SnapshotProvider

__all__ = [
    "REAL_ENDPOINT",
    "SANDBOX_ENDPOINT",
    "NodeApiError",
    "NodeClient",
    "NodeConfigError",
    "NodeDecodeError",
    "NodeError",
    "NodeTransportError",
    "Settings",
    "Snapshot",
    "SnapshotFailedError",
    "SnapshotNotFoundError",
    "SnapshotProvider",
    "SnapshotSchedule",
    "SnapshotScheduleProvider",
    "SnapshotTimeoutError",
    "SnapshotUncertainError",
    "SnapshotWaitError",
    "get_snapshots",
    "resolve_settings",
    "snapshot_before_update",
]
