"""Property tests of check and diff: bad input yields CheckFailures, never another exception."""

from __future__ import annotations

import math
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from pulumi.output import Unknown

from node_pulumi import SnapshotProvider, SnapshotScheduleProvider
from node_pulumi._core.inputs import contains_unknown, is_unknown

# What check and diff may be handed: any JSON-like value, numbers as the wire's floats too,
# the floats that are no numbers, and values not known yet (preview) at any depth.
input_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.integers(-(10**6), 10**6).map(float)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from([math.nan, math.inf, -math.inf, 2001.5])
    | st.text(max_size=60)
    | st.builds(Unknown),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
SNAPSHOT_KEYS = ["server_id", "triggers", "wait_until_active", "wait_timeout", "other"]
AGES = ["daily_max_age", "weekly_max_age", "monthly_max_age"]
snapshot_inputs = st.dictionaries(st.sampled_from(SNAPSHOT_KEYS), input_values)
schedule_inputs = st.dictionaries(st.sampled_from(["server_id", *AGES]), input_values)
SNAPSHOT_OUTPUTS = {"server_id": "12345", "triggers": ["v1"], "wait_until_active": True}


def assert_failures_are_readable(inputs: dict[str, Any], failures: list[Any]) -> None:
    """Failures name an input that has a (known) value, and show whole numbers as integers."""
    for failure in failures:
        assert failure.property in inputs or failure.property == "server_id"
        value = inputs.get(failure.property)
        assert not is_unknown(value)
        if isinstance(value, float) and value.is_integer():
            assert repr(value) not in failure.reason


@given(snapshot_inputs)
def test_snapshot_check_only_reports_failures(inputs: dict[str, Any]) -> None:
    result = SnapshotProvider().check({}, inputs)
    assert_failures_are_readable(inputs, result.failures)
    if not result.failures:
        server_id = result.inputs["server_id"]
        assert is_unknown(server_id) or (
            isinstance(server_id, str) and 0 < len(server_id.strip()) and len(server_id) <= 50
        )
        timeout = result.inputs.get("wait_timeout", 1)
        assert is_unknown(timeout) or (math.isfinite(timeout) and timeout > 0)
        wait = result.inputs.get("wait_until_active", True)
        assert is_unknown(wait) or isinstance(wait, bool)
        diff = SnapshotProvider().diff("abc", SNAPSHOT_OUTPUTS, result.inputs)
        for key in ("server_id", "triggers"):
            if contains_unknown(result.inputs.get(key)):
                assert key in (diff.replaces or [])


@given(schedule_inputs)
def test_schedule_check_only_reports_failures(inputs: dict[str, Any]) -> None:
    result = SnapshotScheduleProvider().check({}, inputs)
    assert_failures_are_readable(inputs, result.failures)
    if not result.failures:
        for key in AGES:
            age = result.inputs.get(key)
            assert age is None or is_unknown(age) or (type(age) is int and 1 <= age <= 99)
        diff = SnapshotScheduleProvider().diff("1", {"server_id": "1"}, result.inputs)
        assert diff.replaces == (["server_id"] if result.inputs["server_id"] != "1" else [])
        if any(is_unknown(result.inputs.get(key)) for key in AGES):
            assert diff.changes is True
