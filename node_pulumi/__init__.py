"""node-pulumi: snapshots of node.co.id servers as Pulumi resources.

```python
import node_pulumi as node
snap = node.Snapshot("before-deploy", server_id="12345", triggers=[release])
```
"""

__version__ = "0.1.0"  # the one place: packaging metadata and the plugin read it

from ._api.errors import (
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
from ._api.transport import REAL_ENDPOINT, SANDBOX_ENDPOINT, NodeClient
from ._core.settings import Settings, resolve_settings
from ._dynamic.hooks import snapshot_before_update
from ._dynamic.lookup import get_snapshots
from ._dynamic.rotating import RotatingSnapshot, RotatingSnapshotProvider
from ._dynamic.schedule import SnapshotSchedule, SnapshotScheduleProvider
from ._dynamic.snapshot import Snapshot, SnapshotProvider

__all__ = [
    "REAL_ENDPOINT",
    "SANDBOX_ENDPOINT",
    "NodeApiError",
    "NodeClient",
    "NodeConfigError",
    "NodeDecodeError",
    "NodeError",
    "NodeTransportError",
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
    "SnapshotWaitError",
    "get_snapshots",
    "resolve_settings",
    "snapshot_before_update",
]
