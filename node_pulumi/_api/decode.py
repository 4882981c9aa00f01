"""Turn an API response body into the envelope's ``data``, the same for JSON and XML.

The body is decoded by the format that was *requested*: the API's PHP server does not label its
responses reliably. Values are then normalised by one schema so that both formats give identical
Python values: XML carries every value as text, and JSON may too. An answer that decodes but does
not have the documented shape (``data`` a string where an object is expected, a count that is no
number, records that are not objects, nesting deeper than any answer has) is a `NodeDecodeError`.

A credential in an answer (get_server_detail's ``root_password``) is dropped here, at decoding:
no returned value holds it, and no error quotes a body that may (see `SECRET_FIELDS`).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any, NamedTuple
from xml.parsers.expat import ExpatError

import xmltodict

from .errors import NodeApiError, NodeDecodeError

INT_FIELDS = frozenset(
    {
        "snapshot_url_expires",
        "total_records",
        "records_per_page",
        "total_pages",
        "page",
        "daily_snapshot_max_age",
        "weekly_snapshot_max_age",
        "monthly_snapshot_max_age",
        "retain_daily_snapshots",
        "retain_weekly_snapshots",
        "retain_monthly_snapshots",
    }
)
NUMBER_FIELDS = frozenset({"snapshot_size"})
TEXT_FIELDS = frozenset(
    {
        "snapshot_id",
        "server_id",
        "server_label",
        "snapshot_name",
        "snapshot_add_time",
        "snapshot_end_time",
        "snapshot_cycle",
        "snapshot_status",
        "snapshot_url",
        "daily_snapshot",
        "weekly_snapshot",
        "monthly_snapshot",
        "server_status",
        "order_status",
        "install_source",
    }
)
SECRET_FIELDS = frozenset({"root_password"})
"""Fields dropped from every answer as it is decoded: credentials the package must never hold."""
SECRET_FUNCTIONS = frozenset({"get_server_detail", "get_server_list"})
"""Functions whose answer holds a credential: their undecodable bodies are never quoted."""
MAX_DEPTH = 16
"""Deepest nesting accepted in ``data``; the API's deepest answer (a list page) has 3 levels."""

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
# A document type declaration, with its internal subset; it belongs before the root element.
_XML_DOCTYPE = re.compile(r"^\s*<!DOCTYPE[^\[>]*(\[.*?\]\s*)?>", re.DOTALL)


class Page(NamedTuple):
    """One page of a list function (get_snapshot_list, get_server_list): its records and the
    paging numbers the API reported."""

    records: list[dict[str, Any]]
    page: int | None
    total_pages: int | None
    total_records: int | None = None


def decode_envelope(body: bytes, response_format: str, function: str) -> Mapping[str, Any]:
    """Parse ``body`` into an envelope mapping with ``code``, ``message`` and ``data``."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NodeDecodeError(
            function, f"not UTF-8 ({exc.reason})", _excerpt(body, function)
        ) from None
    if response_format == "xml":
        envelope = _parse_xml(text, function, body)
    else:
        try:
            envelope = json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise NodeDecodeError(
                function, f"invalid JSON ({exc})", _excerpt(body, function)
            ) from None
    if not isinstance(envelope, dict) or "code" not in envelope:
        raise NodeDecodeError(
            function, "no 'code' in the response envelope", _excerpt(body, function)
        )
    return envelope


def unwrap(envelope: Mapping[str, Any], function: str, http_status: int | None = None) -> Any:
    """Return the normalised ``data`` of a successful envelope, or raise `NodeApiError`."""
    code = _scalar_text(envelope.get("code"), "code", function)
    message = _scalar_text(envelope.get("message"), "message", function)
    if code != "OK":
        raise NodeApiError(code or "(empty)", message, function, http_status)
    return normalise(envelope.get("data"), function)


def as_object(data: Any, function: str) -> dict[str, Any]:
    """Return normalised ``data`` that must be an object; an empty value is an empty object.

    PHP encodes an empty array as ``[]`` in JSON, and XML gives an empty ``<data>`` as None.
    """
    if data is None or data == []:
        return {}
    if not isinstance(data, dict):
        raise NodeDecodeError(function, f"'data' is {_kind(data)}, not an object")
    return data


def as_page(data: Any, function: str = "get_snapshot_list") -> Page:
    """Return a list page (normalised ``data``) with its records as a list of objects."""
    page = as_object(data, function)
    records = page.get("records", [])
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            raise NodeDecodeError(function, f"record {index} is {_kind(record)}, not an object")
    return Page(records, page.get("page"), page.get("total_pages"), page.get("total_records"))


def normalise(value: Any, function: str, key: str | None = None, depth: int = 0) -> Any:
    """Give a decoded value the project's types: numbers as numbers, ids as str, records as list.

    Raises `NodeDecodeError` for a typed field holding something else, and for nesting deeper
    than `MAX_DEPTH` (which would otherwise end in a RecursionError).
    """
    if depth > MAX_DEPTH:
        raise NodeDecodeError(function, f"'data' is nested more than {MAX_DEPTH} levels deep")
    if key == "records":
        return [normalise(r, function, None, depth + 1) for r in _records(value, function)]
    if value is None or value == "":
        return None
    if key in INT_FIELDS or key in NUMBER_FIELDS:
        return _number(value, key, function)
    if key in TEXT_FIELDS:
        return _scalar_text(value, key, function)
    if isinstance(value, Mapping):
        return {
            str(k): normalise(v, function, str(k), depth + 1)
            for k, v in value.items()
            if str(k) not in SECRET_FIELDS
        }
    if isinstance(value, list):
        return [normalise(v, function, None, depth + 1) for v in value]
    if isinstance(value, bool):
        return value
    return _text(value)


def _parse_xml(text: str, function: str, body: bytes) -> Any:
    # The published XML has no root element: <code>, <message> and <data> are siblings after the
    # declaration. Wrap them in one so that a strict parser accepts the document; a document type
    # declaration stays in front of the wrapper, where the parser refuses its entities.
    inner = _XML_DECLARATION.sub("", text, count=1)
    doctype = _XML_DOCTYPE.match(inner)
    prolog = doctype.group(0) if doctype else ""
    inner = inner[len(prolog) :]
    try:
        parsed = xmltodict.parse(f"{prolog}<envelope>{inner}</envelope>", disable_entities=True)
    except (ExpatError, ValueError) as exc:
        raise NodeDecodeError(function, f"invalid XML ({exc})", _excerpt(body, function)) from None
    root = parsed["envelope"]
    if isinstance(root, dict) and "code" not in root and len(root) == 1:
        # A server that does send a single root element around the envelope.
        (only,) = root.values()
        root = only
    return root


def _records(value: Any, function: str) -> list[Any]:
    """Return the records of a list page as a list, whatever container the format used.

    JSON sends an object keyed "0", "1", ... (or, from PHP, an array); XML sends repeated child
    elements of <records> (xmltodict gives a dict or a list under their tag name); empty means
    none. Anything else is not a records container.
    """
    if value is None or value == "" or value == {} or value == []:
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, Mapping):
        if all(str(k).isdigit() for k in value):
            return [value[k] for k in sorted(value, key=lambda k: int(str(k)))]
        if len(value) == 1:
            (only,) = value.values()
            if isinstance(only, list):
                return only
            return [] if only is None else [only]
    raise NodeDecodeError(function, f"'records' is {_kind(value)}, not a list of records")


def _number(value: Any, key: str, function: str) -> int | float:
    """A number field's value: an int for `INT_FIELDS`; finite; from a number or its text."""
    number: int | float
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str):
        text = value.strip()
        try:
            number = int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                number = math.nan
    else:
        number = math.nan
    whole = key in INT_FIELDS
    if isinstance(number, float):
        if not math.isfinite(number) or (whole and not number.is_integer()):
            wanted = "a whole number" if whole else "a number"
            raise NodeDecodeError(function, f"{key!r} is {_kind(value)}, not {wanted}")
        if whole:
            return int(number)
    return number


def _scalar_text(value: Any, key: str, function: str) -> str:
    if isinstance(value, Mapping | list):
        raise NodeDecodeError(function, f"{key!r} is {_kind(value)}, not text")
    return _text(value)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _kind(value: Any) -> str:
    """Describe a decoded value for an error message, briefly and without echoing much of it."""
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list):
        return "a list"
    shown = repr(value)
    return f"{type(value).__name__} {shown if len(shown) <= 40 else shown[:37] + '...'}"


def _excerpt(body: bytes, function: str, limit: int = 80) -> str:
    """The start of a body for an error message: none for a function whose answer holds a
    credential, and never from where a password may begin."""
    if function in SECRET_FUNCTIONS:
        return ""
    return _redact(body[:limit].decode("utf-8", errors="replace"))


def _redact(text: str) -> str:
    """``text`` cut before the first mention of a password (what follows may be one)."""
    at = text.lower().find("password")
    return text if at < 0 else text[:at] + "[cut]"
