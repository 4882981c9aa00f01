"""Import-path shim only: the dynamic SnapshotSchedule is in `node_pulumi._dynamic.schedule`.

Release 0.1.0 pickled (dill, by reference) the provider of each dynamic SnapshotSchedule as
``node_pulumi._schedule.SnapshotScheduleProvider`` into its ``__provider``. State keeps that value
in the resource's outputs, which refresh and destroy unpickle, until the provider writes new outputs
for the resource (a replacement): a ``pulumi up`` with no change rewrites only the inputs. So a
stack from 0.1.0 may need this path for as long as it lives. Remove the shim only in a major release
whose notes tell users of such stacks to replace those resources first (see CHANGELOG);
``tests/lifecycle/test_state_fixture.py`` fails without it.
"""

from ._dynamic.schedule import SnapshotSchedule, SnapshotScheduleProvider

__all__ = ["SnapshotSchedule", "SnapshotScheduleProvider"]
