"""Turn an API response body into the envelope's ``data``, the same for JSON and XML.

The body is decoded by the format that was *requested*: the API's PHP server does not label its
responses reliably. Values are then normalised by one schema so that both formats give identical
Python values: XML carries every value as text, and JSON may too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any
from xml.parsers.expat import ExpatError

import xmltodict

from ._errors import NodeApiError, NodeDecodeError

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
    }
)
NUMBER_FIELDS = frozenset({"snapshot_size"})

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def decode_envelope(body: bytes, response_format: str, function: str) -> Mapping[str, Any]:
    """Parse ``body`` into an envelope mapping with ``code``, ``message`` and ``data``."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NodeDecodeError(function, f"not UTF-8 ({exc.reason})", _excerpt(body)) from None
    if response_format == "xml":
        envelope = _parse_xml(text, function, body)
    else:
        try:
            envelope = json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise NodeDecodeError(function, f"invalid JSON ({exc})", _excerpt(body)) from None
    if not isinstance(envelope, dict) or "code" not in envelope:
        raise NodeDecodeError(function, "no 'code' in the response envelope", _excerpt(body))
    return envelope


def unwrap(envelope: Mapping[str, Any], function: str, http_status: int | None = None) -> Any:
    """Return the normalised ``data`` of a successful envelope, or raise `NodeApiError`."""
    code = _text(envelope.get("code"))
    message = _text(envelope.get("message")) or ""
    if code != "OK":
        raise NodeApiError(code or "(empty)", message, function, http_status)
    return normalise(envelope.get("data"))


def normalise(value: Any, key: str | None = None) -> Any:
    """Give a decoded value the project's types: numbers as numbers, ids as str, records as list."""
    if key == "records":
        return [normalise(record) for record in _records(value)]
    if isinstance(value, Mapping):
        return {str(k): normalise(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [normalise(v) for v in value]
    if value is None or value == "":
        return None
    if key in INT_FIELDS or key in NUMBER_FIELDS:
        return _number(value, integer=key in INT_FIELDS)
    if isinstance(value, bool):
        return value
    return _text(value)


def _parse_xml(text: str, function: str, body: bytes) -> Any:
    # The published XML has no root element: <code>, <message> and <data> are siblings after the
    # declaration. Wrap them in one so that a strict parser accepts the document.
    inner = _XML_DECLARATION.sub("", text, count=1)
    try:
        root = xmltodict.parse(f"<envelope>{inner}</envelope>", disable_entities=True)["envelope"]
    except (ExpatError, ValueError) as exc:
        raise NodeDecodeError(function, f"invalid XML ({exc})", _excerpt(body)) from None
    if isinstance(root, dict) and "code" not in root and len(root) == 1:
        # A server that does send a single root element around the envelope.
        (only,) = root.values()
        root = only
    return root


def _records(value: Any) -> list[Any]:
    """Return the records of a list page as a list, whatever container the format used.

    JSON sends an object keyed "0", "1", ...; XML sends repeated child elements of <records>
    (xmltodict gives a dict or a list under their tag name); empty means none.
    """
    if value is None or value == "" or value == {}:
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, Mapping):
        if value and all(str(k).isdigit() for k in value):
            return [value[k] for k in sorted(value, key=lambda k: int(str(k)))]
        if len(value) == 1:
            (only,) = value.values()
            if isinstance(only, list):
                return only
            if isinstance(only, Mapping) or only is None:
                return [only] if only is not None else []
    return [value]


def _number(value: Any, *, integer: bool) -> int | float | str:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return int(value) if integer and float(value).is_integer() else value
    text = str(value).strip()
    try:
        return int(text)
    except ValueError:
        pass
    try:
        number = float(text)
    except ValueError:
        return text  # keep what the API sent rather than inventing a number
    return int(number) if integer and number.is_integer() else number


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _excerpt(body: bytes, limit: int = 80) -> str:
    return body[:limit].decode("utf-8", errors="replace")
