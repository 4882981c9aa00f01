"""Property tests of the response decoder: whatever the API answers, only a NodeError escapes,
and what comes out of a valid answer has the project's types, the same in JSON and in XML.

Whole envelopes are generated: code, message and data of every type, the typed fields with values
of every type, and records in every container; they are served by the sandbox's fault switch to
each client function over HTTP. The valid answers are rendered by the sandbox's own renderer, in
both formats, and compared with the values they were made from.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Callable, Iterator
from typing import Any
from xml.sax.saxutils import escape

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from node_pulumi import NodeApiError, NodeClient, NodeDecodeError, NodeError
from node_pulumi._api.decode import (
    INT_FIELDS,
    NUMBER_FIELDS,
    TEXT_FIELDS,
    as_object,
    as_page,
    decode_envelope,
    unwrap,
)
from node_pulumi.sandbox import Sandbox
from node_pulumi.sandbox._render import render

from .conftest import API_KEY, USER_ID

TYPED = sorted(INT_FIELDS | NUMBER_FIELDS | TEXT_FIELDS)

numeric_texts = st.sampled_from(
    ["0", "7", "-3", "12.0", "2.5", " 42 ", "1e3", "nan", "inf", "", "x", "9" * 30]
)
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20)
    | numeric_texts
)
names = st.sampled_from([*TYPED, "records", "record", "other", "root_password"]) | st.from_regex(
    r"\A[a-z_]{1,6}\Z"
)
values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(names, children, max_size=3),
    max_leaves=12,
)
# Objects whose typed fields all hold values valid for them, and objects where any may not.
texts = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_.:/ ", max_size=16).map(str.strip)
ints = st.integers(-(10**12), 10**12)
int_values = st.one_of(ints, ints.map(str), ints.map(float), st.just(""))
number_values = st.one_of(
    ints, st.floats(allow_nan=False, allow_infinity=False), ints.map(str), st.just("")
)


def valid(key: str) -> st.SearchStrategy[Any]:
    if key in ("record", "records"):
        return st.nothing()
    return int_values if key in INT_FIELDS else number_values if key in NUMBER_FIELDS else texts


def objects(field: Callable[[str], st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    """Objects with the typed fields and ``records`` in every container, valued by ``field``."""
    record = st.fixed_dictionaries({}, optional={key: field(key) for key in TYPED})
    records = st.one_of(
        st.lists(record, min_size=1, max_size=3),
        st.lists(record, min_size=1, max_size=3).map(
            lambda rs: {str(i): r for i, r in enumerate(rs)}
        ),
        st.lists(record, min_size=1, max_size=3).map(lambda rs: {"record": rs}),
        record.map(lambda r: {"record": r}),
        st.sampled_from([None, "", [], {}]),
        st.lists(record | field("record"), min_size=1, max_size=3),
        field("records"),
    )
    return st.fixed_dictionaries(
        {"records": records}, optional={**{key: field(key) for key in TYPED}, "x": values}
    )


def one_wrong(obj: dict[str, Any], key: str, value: Any, in_record: bool) -> dict[str, Any]:
    """``obj`` with one typed field (of the object or of its first record) set to ``value``."""
    if not in_record:
        return {**obj, key: value}
    return {**obj, "records": [{"snapshot_id": "s1", key: value}]}


valid_objects = objects(valid)
one_wrong_objects = st.builds(
    one_wrong, valid_objects, st.sampled_from([*TYPED, "records"]), values, st.booleans()
)
data_objects = st.one_of(
    valid_objects, one_wrong_objects, one_wrong_objects, objects(lambda key: valid(key) | values)
)
codes = st.one_of(st.just("OK"), st.just("OK"), st.sampled_from(["NOT_FOUND", "ERR"]), values)
messages = texts | values
envelopes = st.one_of(
    st.fixed_dictionaries({"code": st.just("OK"), "message": texts, "data": data_objects}),
    st.fixed_dictionaries(
        {"code": codes, "data": data_objects | values}, optional={"message": messages}
    ),
    st.fixed_dictionaries({}, optional={"code": codes, "message": messages, "data": values}),
)


def xml_element(name: str, value: Any) -> str:
    """One element in the API's XML style: lists as repeated children, records as <record>."""
    if isinstance(value, dict):
        if value and all(key.isdigit() for key in value):
            value = list(value.values())
        else:
            inner = "".join(xml_element(key, item) for key, item in value.items())
            return f"<{name}>{inner}</{name}>"
    if isinstance(value, list):
        item = "record" if name == "records" else "item"
        return f"<{name}>{''.join(xml_element(item, v) for v in value)}</{name}>"
    text = "" if value is None else escape(str(value))
    return f"<{name}>{text}</{name}>"


def as_xml(envelope: dict[str, Any]) -> bytes:
    parts = "".join(xml_element(key, value) for key, value in envelope.items())
    return f'<?xml version="1.0" encoding="utf-8"?>\n{parts}'.encode(errors="surrogatepass")


def as_json(envelope: dict[str, Any]) -> bytes:
    return json.dumps(envelope).encode()


def keys(value: Any) -> set[str]:
    """Every object key in a decoded value, at any depth."""
    if isinstance(value, dict):
        return set(value).union(*(keys(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(keys(v) for v in value))
    return set()


def assert_typed(record: Any) -> None:
    """The project's types: int fields int, number fields finite numbers, text fields str; and
    no root password, at any depth (it is dropped while decoding)."""
    assert type(record) is dict
    assert "root_password" not in keys(record)
    for key, value in record.items():
        if value is None:
            continue
        if key in INT_FIELDS:
            assert type(value) is int, (key, value)
        elif key in NUMBER_FIELDS:
            assert type(value) in (int, float) and math.isfinite(value), (key, value)
        elif key in TEXT_FIELDS:
            assert type(value) is str, (key, value)


@pytest.fixture(scope="module")
def api() -> Iterator[Sandbox]:
    with Sandbox(USER_ID, API_KEY, processing_seconds=0) as server:
        yield server


CALLS: dict[str, Callable[[NodeClient], Any]] = {
    "create_snapshot": lambda c: c.create_snapshot("1"),
    "get_snapshot_detail": lambda c: c.get_snapshot_detail("s1"),
    "delete_snapshot": lambda c: c.delete_snapshot("s1"),
    "set_server_snapshot_schedule": lambda c: c.set_server_snapshot_schedule("1"),
    "get_server_detail": lambda c: c.get_server_detail("1"),
    "reinstall_server": lambda c: c.reinstall_server("1", "snapshot", snapshot_id="s1"),
    # A list walk follows the pages the answer claims: take a bounded number of records.
    "get_snapshot_list": lambda c: list(
        itertools.islice(c.get_snapshot_list(client_ip_address="203.0.113.7"), 20)
    ),
}


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("function", sorted(CALLS))
@settings(max_examples=80)
@given(envelope=envelopes)
def test_every_function_takes_any_envelope(
    api: Sandbox, function: str, fmt: str, envelope: dict[str, Any]
) -> None:
    body = as_xml(envelope) if fmt == "xml" else as_json(envelope)
    api.set_fault(function, body=body)
    client = NodeClient(USER_ID, API_KEY, endpoint=api.url, response_format=fmt, retries=0)
    try:
        result = CALLS[function](client)
    except NodeError:
        return
    finally:
        api.clear_faults()
        client.close()
    if function == "get_snapshot_list":
        assert type(result) is list
        for record in result:
            assert_typed(record)
    else:
        assert_typed(result)


@pytest.mark.parametrize("fmt", ["json", "xml"])
@settings(max_examples=600)
@given(envelope=envelopes, function=st.sampled_from(sorted(CALLS)))
def test_the_decoder_takes_any_envelope(fmt: str, envelope: dict[str, Any], function: str) -> None:
    # What each client function does with an answer, without HTTP: many more examples.
    body = as_xml(envelope) if fmt == "xml" else as_json(envelope)
    try:
        result = decoded(body, fmt, function)
    except NodeError:
        return
    for record in result.records if function == "get_snapshot_list" else [result]:
        assert_typed(record)


# Valid answers, made from known values and rendered in both formats by the sandbox.

detail_values = st.fixed_dictionaries(
    {"snapshot_id": texts.filter(bool)},
    optional={
        **{key: texts for key in TEXT_FIELDS - {"snapshot_id"}},
        **{key: int_values for key in INT_FIELDS},
        **{key: number_values for key in NUMBER_FIELDS},
    },
)


def expected(record: dict[str, Any]) -> dict[str, Any]:
    """What the client must make of ``record``: empty as None, numbers as numbers."""
    out: dict[str, Any] = {}
    for key, value in record.items():
        if value == "":
            out[key] = None
        elif key in INT_FIELDS:
            out[key] = int(float(value)) if isinstance(value, float) else int(value)
        elif key in NUMBER_FIELDS:
            out[key] = float(value) if isinstance(value, str) else value
        else:
            out[key] = value
    return out


def decoded(body: bytes, fmt: str, function: str) -> Any:
    data = unwrap(decode_envelope(body, fmt, function), function, 200)
    return as_page(data, function) if function == "get_snapshot_list" else as_object(data, function)


@settings(max_examples=200)
@given(detail_values)
def test_a_valid_detail_decodes_to_its_values_in_both_formats(record: dict[str, Any]) -> None:
    want = expected(record)
    for fmt in ("json", "xml"):
        got = decoded(render(fmt, "OK", "", record), fmt, "get_snapshot_detail")
        assert got == want, fmt
        assert_typed(got)


@settings(max_examples=200)
@given(
    st.lists(detail_values, max_size=4),
    st.integers(1, 5),
    int_values.filter(lambda v: v != ""),
)
def test_a_valid_list_page_decodes_to_its_records_in_both_formats(
    records: list[dict[str, Any]], page: int, total_pages: Any
) -> None:
    data = {"total_pages": total_pages, "page": str(page), "records": records}
    for fmt in ("json", "xml"):
        got = decoded(render(fmt, "OK", "", data), fmt, "get_snapshot_list")
        assert got.records == [expected(r) for r in records], fmt
        assert type(got.records) is list
        assert got.page == page and type(got.page) is int
        assert got.total_pages == expected({"total_pages": total_pages})["total_pages"]
        assert type(got.total_pages) is int


@settings(max_examples=200)
@given(
    texts.filter(lambda t: t not in ("", "OK")),
    texts,
    st.sampled_from(["create_snapshot", "get_snapshot_list", "delete_snapshot"]),
)
def test_a_code_other_than_ok_is_an_api_error_in_both_formats(
    code: str, message: str, function: str
) -> None:
    for fmt in ("json", "xml"):
        with pytest.raises(NodeApiError) as caught:
            decoded(render(fmt, code, message, {"snapshot_id": "s1"}), fmt, function)
        assert (caught.value.code, caught.value.message) == (code, message), fmt
        assert caught.value.function == function


@settings(max_examples=300)
@given(st.binary(max_size=300), st.sampled_from(["json", "xml"]))
def test_arbitrary_bytes_give_decode_or_api_errors(body: bytes, fmt: str) -> None:
    try:
        decoded(body, fmt, "get_snapshot_detail")
    except (NodeDecodeError, NodeApiError):
        pass


def test_an_xml_entity_is_refused_not_expanded() -> None:
    # A document type declaration is legal before the root-less envelope; the decoder keeps it
    # in front of its wrapper, where the parser meets the entity declaration and refuses it.
    body = (
        b'<?xml version="1.0"?>\n<!DOCTYPE envelope [<!ENTITY a "EXPANDED-TEXT">]>\n'
        b"<code>OK</code><message>&a;</message><data><snapshot_id>&a;</snapshot_id></data>"
    )
    with pytest.raises(NodeDecodeError) as caught:
        decoded(body, "xml", "get_snapshot_detail")
    assert "entit" in caught.value.reason
    assert "EXPANDED-TEXT" not in caught.value.reason


def test_a_billion_laughs_is_refused_quickly() -> None:
    entities = "".join(f'<!ENTITY e{i} "{f"&e{i - 1};" * 10}">' for i in range(1, 10))
    body = f'<!DOCTYPE d [<!ENTITY e0 "ha">{entities}]><code>&e9;</code>'.encode()
    with pytest.raises(NodeDecodeError) as caught:
        decoded(body, "xml", "get_snapshot_detail")
    assert "entit" in caught.value.reason


@pytest.mark.parametrize(
    ("fmt", "body"),
    [
        ("json", b"[" * 100_000),
        ("json", b'{"code": "OK", "data": ' + b'{"a": ' * 500 + b"1" + b"}" * 501),
        ("json", b'{"code": "OK", "data": {"records": ' + b"[" * 500 + b"]" * 500 + b"}}"),
        ("xml", b"<code>OK</code><data>" + b"<a>" * 5000 + b"</a>" * 5000 + b"</data>"),
    ],
    ids=["json-unparseable", "json-objects", "json-records", "xml"],
)
def test_deep_nesting_is_a_decode_error(fmt: str, body: bytes) -> None:
    with pytest.raises(NodeDecodeError) as caught:
        decoded(body, fmt, "get_snapshot_list")
    assert caught.value.function == "get_snapshot_list"
