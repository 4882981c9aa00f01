"""The unauthenticated admin API under ``/_sandbox/``: the call log, data access and faults.

``GET reinstalls[?server_id=ID]`` lists the reinstalls (what each server was restored from);
root passwords are not served here. ``POST strict_client_ip?on=1`` (``on=0`` to end it) makes
get_snapshot_detail require ``client_ip_address``, as the newer published page says.

It has no credentials, so it answers loopback peers only, whatever address the sandbox listens
on: a sandbox opened to the network with ``--host`` still serves its API there, not this.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import json
from typing import Any
from urllib.parse import parse_qsl, unquote

from ._app import App, Response
from ._faults import Fault

ADMIN_PREFIX = "/_sandbox/"

_JSON_CONTENT_TYPE = "application/json"


def is_loopback(peer: str) -> bool:
    """Whether ``peer`` (a socket's address string) is a loopback address, IPv4-mapped or not."""
    try:
        address = ipaddress.ip_address(peer.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def handle_admin(app: App, peer: str, method: str, target: str, body: bytes) -> Response:
    """Answer one admin request from ``peer``; ``target`` is the path and query after the prefix."""
    if not is_loopback(peer):
        return _json_response({"error": "the admin API answers loopback clients only"}, 403)
    route, _, query = target.partition("?")
    try:
        if method == "GET" and route == "calls":
            return _json_response([dataclasses.asdict(call) for call in app.calls(None)])
        if method == "GET" and route == "snapshots":
            include = dict(parse_qsl(query)).get("include_deleted", "1") not in ("0", "false")
            return _json_response(app.snapshots(include))
        if method == "GET" and route == "schedules":
            return _json_response(app.schedules())
        if method == "GET" and route == "reinstalls":
            return _json_response(app.reinstalls(dict(parse_qsl(query)).get("server_id")))
        if method == "POST" and route == "clear_calls":
            app.clear_calls()
        elif method == "POST" and route == "clear_faults":
            app.faults.clear()
        elif method == "POST" and route == "reset":
            app.reset()
        elif method == "POST" and route.startswith("delete/"):
            app.delete_behind_back(unquote(route[len("delete/") :]))
        elif method == "POST" and route == "strict_client_ip":
            app.strict_client_ip = dict(parse_qsl(query)).get("on", "1") not in ("0", "false")
        elif method == "POST" and route == "fault":
            _set_fault(app, body)
        else:
            return _json_response({"error": "unknown admin request"}, 404)
    except KeyError as missing:
        return _json_response({"error": f"not found: {missing}"}, 404)
    except RecursionError:
        # json.loads refuses nesting deeper than the interpreter's recursion limit this way.
        return _json_response({"error": "the fault is nested too deeply"}, 400)
    except (ValueError, TypeError) as error:
        return _json_response({"error": str(error)}, 400)
    return _json_response({"ok": True})


def _set_fault(app: App, body: bytes) -> None:
    """Set the fault a JSON object describes: `Fault`'s fields, plus ``times``."""
    spec = json.loads(body or b"{}")
    if not isinstance(spec, dict):
        raise ValueError("the fault must be a JSON object")
    times = spec.pop("times", None)
    if spec.get("error") is not None:
        if not isinstance(spec["error"], list):
            raise ValueError("error must be a [code, message] pair of strings")
        spec["error"] = tuple(spec["error"])
    if spec.get("body") is not None:
        if not isinstance(spec["body"], str):
            raise ValueError("body must be a string")
        spec["body"] = spec["body"].encode("utf-8")
    app.faults.set(Fault(**spec), times)


def _json_response(value: Any, status: int = 200) -> Response:
    return Response(status, json.dumps(value).encode("utf-8"), _JSON_CONTENT_TYPE)
