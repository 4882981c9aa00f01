"""Writing answers: the API's envelope in JSON, or in its published root-less XML."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from xml.sax.saxutils import escape

# A PHP server answers ``text/html`` whatever the format; clients must decode by the format they
# asked for, so the sandbox does the same.
API_CONTENT_TYPE = "text/html; charset=UTF-8"
_XML_ITEM_NAMES = {"records": "record"}


def render(fmt: str, code: str, message: str, data: Mapping[str, Any]) -> bytes:
    """Serialise an envelope in the requested format.

    JSON turns lists into objects keyed ``"0"``, ``"1"``, ... as the API publishes them. XML is
    the documented ROOT-LESS document (``<code>``, ``<message>``, ``<data>`` as siblings after the
    declaration); as object keys like ``"0"`` are not valid XML element names, a list is written
    as repeated child elements, ``records`` as ``<records><record>..</record>..</records>``.
    """
    if fmt == "xml":
        lines = ['<?xml version="1.0" encoding="utf-8"?>']
        lines += _xml_element("code", code, 0)
        lines += _xml_element("message", message, 0)
        lines += _xml_element("data", data, 0)
        return ("\n".join(lines) + "\n").encode("utf-8")
    envelope = {"code": code, "message": message, "data": _json_ready(data)}
    return json.dumps(envelope, ensure_ascii=False).encode("utf-8")


def _json_ready(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _json_ready(item) for key, item in value.items()}
    if isinstance(value, list):
        return {str(index): _json_ready(item) for index, item in enumerate(value)}
    return value


def _xml_element(name: str, value: Any, depth: int) -> list[str]:
    pad = "    " * depth
    if isinstance(value, Mapping):
        children = [
            line for key, item in value.items() for line in _xml_element(key, item, depth + 1)
        ]
    elif isinstance(value, list):
        item_name = _XML_ITEM_NAMES.get(name, "item")
        children = [line for item in value for line in _xml_element(item_name, item, depth + 1)]
    else:
        text = "" if value is None else escape(str(value))
        return [f"{pad}<{name}>{text}</{name}>"]
    if not children:
        return [f"{pad}<{name}></{name}>"]
    return [f"{pad}<{name}>", *children, f"{pad}</{name}>"]
