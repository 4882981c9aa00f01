"""Property tests: bad input yields CheckFailures or NodeErrors, never another exception."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from node_pulumi import SnapshotProvider, SnapshotScheduleProvider

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=60),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
snapshot_inputs = st.dictionaries(
    st.sampled_from(["server_id", "triggers", "wait_until_active", "wait_timeout", "other"]),
    json_values,
)
schedule_inputs = st.dictionaries(
    st.sampled_from(["server_id", "daily_max_age", "weekly_max_age", "monthly_max_age"]),
    json_values,
)


@given(snapshot_inputs)
def test_snapshot_check_only_reports_failures(inputs: dict[str, Any]) -> None:
    result = SnapshotProvider().check({}, inputs)
    assert all(f.property in inputs or f.property == "server_id" for f in result.failures)
    if not result.failures:
        server_id = result.inputs["server_id"]
        assert isinstance(server_id, str) and 0 < len(server_id) <= 50


@given(schedule_inputs)
def test_schedule_check_only_reports_failures(inputs: dict[str, Any]) -> None:
    result = SnapshotScheduleProvider().check({}, inputs)
    if not result.failures:
        for key in ("daily_max_age", "weekly_max_age", "monthly_max_age"):
            age = result.inputs.get(key)
            assert age is None or (type(age) is int and 1 <= age <= 99)
