"""Property tests: bad input yields CheckFailures or NodeErrors, never another exception."""

from __future__ import annotations

import json
import math
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pulumi.output import Unknown

from node_pulumi import NodeError, SnapshotProvider, SnapshotScheduleProvider
from node_pulumi._decode import decode_envelope, unwrap
from node_pulumi._provider import contains_unknown, is_unknown

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


def decode(body: bytes, fmt: str) -> None:
    try:
        unwrap(decode_envelope(body, fmt, "get_snapshot_detail"), "get_snapshot_detail")
    except NodeError:
        pass


@settings(max_examples=300)
@given(st.binary(max_size=300), st.sampled_from(["json", "xml"]))
def test_decoder_takes_arbitrary_bytes(body: bytes, fmt: str) -> None:
    decode(body, fmt)


@settings(max_examples=300)
@given(json_values)
def test_decoder_takes_any_json_shape(data: Any) -> None:
    decode(json.dumps(data).encode(), "json")
    envelope = {"code": "OK", "message": "", "data": data}
    decode(json.dumps(envelope).encode(), "json")


xml_names = st.sampled_from(["code", "message", "data", "records", "record", "snapshot_size", "x"])
xml_elements = st.recursive(
    st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), max_size=20).map(
        lambda t: t.replace("&", "&amp;").replace("<", "&lt;")
    ),
    lambda children: st.lists(st.tuples(xml_names, children), max_size=4).map(
        lambda items: "".join(f"<{n}>{c}</{n}>" for n, c in items)
    ),
    max_leaves=15,
)


@settings(max_examples=300)
@given(xml_elements)
def test_decoder_takes_any_xml_shape(document: str) -> None:
    decode(f'<?xml version="1.0" encoding="utf-8"?>\n{document}'.encode(), "xml")
    decode(f"<code>OK</code><message/><data>{document}</data>".encode(), "xml")


def test_deep_nesting_and_entity_expansion_are_refused_not_hung() -> None:
    decode(b"[" * 100_000, "json")
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><code>&b;</code>'
    )
    decode(bomb, "xml")
