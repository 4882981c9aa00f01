"""A local stand-in for the node.co.id API's snapshot functions, served over real HTTP.

It answers the five functions the project uses under both ``/api/v1/<fn>`` and
``/api-sandbox/v1/<fn>`` (the two behave the same here), on GET and on form-encoded POST, in
``format=json`` (default) or ``format=xml``. It checks what the real API is documented to check
(user id, triple-SHA1 checksum, required parameters, documented lengths and values) and, unlike
the documentation says of the real one, rejects a reused ``random``. Tests drive failures through
fault switches and inspect a call log; the same controls are served over HTTP under
``/_sandbox/`` for when the sandbox runs as a separate process.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import math
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, TextIO, cast
from urllib.parse import parse_qsl, unquote

from ._params import (
    DUPLICATE_RANDOM,
    INVALID_CHECKSUM,
    INVALID_PARAMETER,
    INVALID_USER,
    NOT_FOUND,
    UNKNOWN_FUNCTION,
    ApiError,
    choice,
    integer,
    ipv4,
    max_age,
    optional,
    require,
)
from ._render import API_CONTENT_TYPE, render
from ._store import Schedule, SnapshotRecord, Store

API_PREFIXES = ("/api/v1/", "/api-sandbox/v1/")
ADMIN_PREFIX = "/_sandbox/"
FUNCTIONS = frozenset(
    {
        "create_snapshot",
        "get_snapshot_detail",
        "delete_snapshot",
        "get_snapshot_list",
        "set_server_snapshot_schedule",
    }
)
MAX_LATENCY = 60.0
"""Upper bound of a latency fault, so a forgotten fault cannot hang a test run."""
MAX_BODY = 1 << 20
_POLL_INTERVAL = 0.05  # how soon serve_forever notices stop(); the default 0.5 s slows tests

_JSON_CONTENT_TYPE = "application/json"
_FORMATS = ("json", "xml")
_CYCLES = ("daily", "weekly", "monthly")
_SORT_KEYS: dict[str, tuple[str, bool]] = {
    "snapshot_size_ascending": ("size", False),
    "snapshot_size_descending": ("size", True),
    "snapshot_add_time_ascending": ("time", False),
    "snapshot_add_time_descending": ("time", True),
}


@dataclass(frozen=True)
class Call:
    """One API call as the sandbox saw and answered it (admin requests are not logged).

    ``params`` holds every request parameter except ``checksum``; ``code`` is the envelope code
    sent back, or None when the answer was not an envelope (a raw-body or bare-status fault);
    ``faulted`` says a fault switch shaped the answer.
    """

    function: str
    method: str
    format: str
    params: dict[str, str]
    code: str | None
    http_status: int
    faulted: bool = False


@dataclass(frozen=True)
class Fault:
    """How to misbehave on calls of ``function`` (a function name, or ``"*"`` for all five).

    ``latency`` seconds pass before the answer. ``error`` (code, message) answers that envelope;
    ``http_status`` answers that status (with the ``error`` envelope, ``body`` or an empty body);
    ``body`` answers those raw bytes. A fault with any of those three fails the call without
    performing it, unless ``after`` is set: then the operation is performed first and only its
    answer is replaced or delayed (a response lost after the server acted). A latency-only fault
    performs the call normally after the delay (before it, with ``after``).
    """

    function: str
    latency: float = 0.0
    error: tuple[str, str] | None = None
    http_status: int | None = None
    body: bytes | None = None
    after: bool = False

    def __post_init__(self) -> None:
        if self.function != "*" and self.function not in FUNCTIONS:
            raise ValueError(f"unknown function {self.function!r}")
        if not 0.0 <= self.latency <= MAX_LATENCY:
            raise ValueError(f"latency must be within 0..{MAX_LATENCY} seconds")
        if self.http_status is not None and not 100 <= self.http_status <= 599:
            raise ValueError("http_status must be within 100..599")
        if self.error is not None and (
            len(self.error) != 2 or not all(isinstance(part, str) for part in self.error)
        ):
            raise ValueError("error must be a (code, message) pair of strings")
        if self.body is not None and not isinstance(self.body, bytes):
            raise ValueError("body must be bytes")

    @property
    def fails(self) -> bool:
        """Whether the fault replaces the answer (rather than only delaying it)."""
        return self.error is not None or self.http_status is not None or self.body is not None


@dataclass(frozen=True)
class _Response:
    status: int
    body: bytes
    content_type: str
    code: str | None = None


class _Aborted(Exception):
    """The sandbox is stopping while a call waits out a latency fault: drop the connection."""


def _sha1_hex(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()  # noqa: S324 - the API's scheme


def _expected_checksum(user_id: str, api_key: str, random: str) -> str:
    """The API's checksum; written here independently of the client's on purpose."""
    return _sha1_hex(_sha1_hex(_sha1_hex(user_id + api_key + random)))


# --- the API -----------------------------------------------------------------------------------


class _FaultSlot:
    def __init__(self, fault: Fault, remaining: int | None) -> None:
        self.fault = fault
        self.remaining = remaining


class _App:
    """Everything behind the HTTP handler: authentication, the five functions, faults, the log."""

    def __init__(self, user_id: str, api_key: str, log: TextIO | None) -> None:
        self.user_id = user_id
        self._api_key = api_key
        self._log = log
        self.store: Store | None = None
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._in_flight = 0
        self._calls: list[Call] = []
        self._faults: dict[str, _FaultSlot] = {}
        self._errors: list[BaseException] = []
        self._functions: dict[str, Callable[[Store, Mapping[str, str]], tuple[str, Any]]] = {
            "create_snapshot": self._create_snapshot,
            "get_snapshot_detail": self._get_snapshot_detail,
            "delete_snapshot": self._delete_snapshot,
            "get_snapshot_list": self._get_snapshot_list,
            "set_server_snapshot_schedule": self._set_server_snapshot_schedule,
        }

    # request entry point, called from the handler's threads

    def handle(self, method: str, target: str, body: bytes, content_type: str) -> _Response:
        """Answer one HTTP request (``target`` is the request line's path and query)."""
        with self._lock:
            self._in_flight += 1
        try:
            path, _, query = target.partition("?")
            if path.startswith(ADMIN_PREFIX):
                return self._admin(method, path[len(ADMIN_PREFIX) :], query, body)
            params = dict(parse_qsl(query, keep_blank_values=True))
            # Like PHP's $_REQUEST: a form body's values override the query string's.
            if method == "POST" and content_type.startswith("application/x-www-form-urlencoded"):
                params.update(parse_qsl(body.decode("latin-1"), keep_blank_values=True))
            return self._api(method, path, params)
        finally:
            with self._lock:
                self._in_flight -= 1
                self._idle.notify_all()

    def wait_idle(self, timeout: float) -> None:
        """Wait (bounded) for calls in progress to finish, before the store is closed."""
        with self._lock:
            self._idle.wait_for(lambda: self._in_flight == 0, timeout)

    def _api(self, method: str, path: str, params: dict[str, str]) -> _Response:
        function = path
        for prefix in API_PREFIXES:
            if path.startswith(prefix):
                function = unquote(path[len(prefix) :])
        requested_format = params.get("format") or "json"
        fmt = requested_format if requested_format in _FORMATS else "json"
        if function in FUNCTIONS:
            fault = self._take_fault(function)
            response = self._answer(function, fmt, requested_format, params, fault)
        else:
            fault = None
            message = f"Unknown function {function}."
            response = self._envelope(fmt, UNKNOWN_FUNCTION, message, 404)
        call = Call(
            function=function,
            method=method,
            format=fmt,
            params={key: value for key, value in params.items() if key != "checksum"},
            code=response.code,
            http_status=response.status,
            faulted=fault is not None,
        )
        with self._lock:
            self._calls.append(call)
        if self._log is not None:
            faulted = " (fault)" if call.faulted else ""
            print(
                f"{method} {function} format={fmt} -> {call.code} {call.http_status}{faulted}",
                file=self._log,
                flush=True,
            )
        return response

    def _answer(
        self,
        function: str,
        fmt: str,
        requested_format: str,
        params: Mapping[str, str],
        fault: Fault | None,
    ) -> _Response:
        """Perform the call, shaped by its fault if it has one (see `Fault`)."""
        if fault is None:
            return self._execute(function, fmt, requested_format, params)
        if not fault.after:
            self._pause(fault.latency)
            if fault.fails:
                return self._fault_response(fault, fmt)
        response = self._execute(function, fmt, requested_format, params)
        if fault.after:
            self._pause(fault.latency)
        return self._fault_response(fault, fmt) if fault.fails else response

    def _execute(
        self, function: str, fmt: str, requested_format: str, params: Mapping[str, str]
    ) -> _Response:
        store = self._require_store()
        try:
            if requested_format not in _FORMATS:
                raise ApiError(INVALID_PARAMETER, "Invalid parameter format: json or xml.")
            self._authenticate(store, params)
            message, data = self._functions[function](store, params)
        except ApiError as error:
            return self._envelope(fmt, error.code, error.message)
        return self._envelope(fmt, "OK", message, data=data)

    def _authenticate(self, store: Store, params: Mapping[str, str]) -> None:
        user_id = require(params, "user_id")
        random = require(params, "random")
        checksum = require(params, "checksum")
        if not hmac.compare_digest(user_id.encode(), self.user_id.encode()):
            raise ApiError(INVALID_USER, "Invalid user_id.")
        expected = _expected_checksum(self.user_id, self._api_key, random)
        if not hmac.compare_digest(checksum.encode(), expected.encode()):
            raise ApiError(INVALID_CHECKSUM, "Invalid checksum.")
        if not store.use_random(random):
            raise ApiError(DUPLICATE_RANDOM, "This random value has already been used.")

    @staticmethod
    def _envelope(
        fmt: str, code: str, message: str, status: int = 200, data: Any = None
    ) -> _Response:
        body = render(fmt, code, message, {} if data is None else data)
        return _Response(status, body, API_CONTENT_TYPE, code)

    # the five functions: each returns (message, data) or raises ApiError

    def _create_snapshot(self, store: Store, params: Mapping[str, str]) -> tuple[str, Any]:
        snapshot = store.create_snapshot(require(params, "server_id", 50))
        data = {
            "snapshot_id": snapshot.snapshot_id,
            "server_id": snapshot.server_id,
            "snapshot_status": "processing",  # as published, even when processing_seconds is 0
        }
        return "Snapshot creation has been strated.", data  # sic, the published message

    def _get_snapshot_detail(self, store: Store, params: Mapping[str, str]) -> tuple[str, Any]:
        """``client_ip_address`` is optional: the older published page does not have it."""
        snapshot_id = require(params, "snapshot_id", 50)
        ipv4(params, "client_ip_address", required=False)
        snapshot = self._found(store.get_snapshot(snapshot_id))
        return "Snapshot detail has been retrieved.", snapshot.detail(store.now())

    def _delete_snapshot(self, store: Store, params: Mapping[str, str]) -> tuple[str, Any]:
        """Mark the snapshot deleted; the row stays, so detail and list still show it.

        Deleting an already deleted snapshot answers OK again (idempotent), so a client retrying
        a delete whose answer was lost does not see a failure. A snapshot still processing can be
        deleted too. Only an id that never existed is NOT_FOUND.
        """
        snapshot = self._found(store.mark_deleted(require(params, "snapshot_id", 50)))
        data = {"snapshot_id": snapshot.snapshot_id, "snapshot_status": "deleted"}
        return "Snapshot has been deleted.", data

    def _get_snapshot_list(self, store: Store, params: Mapping[str, str]) -> tuple[str, Any]:
        """One page of snapshots, filtered and sorted as documented.

        Every sandbox snapshot is ``manual`` and owned by the caller, so ``ownership=shared``
        and cycles other than manual find nothing. ``snapshot_status=all`` includes deleted ones.
        A page past the end answers the last page; with no records, page 1 of 0 pages.
        """
        ipv4(params, "client_ip_address", required=True)
        per_page = integer(params, "records_per_page", 10, 100, 20)
        page = integer(params, "page", 1, 999_999_999, 1)
        sort_key, descending = _SORT_KEYS[
            choice(params, "sorted_by", tuple(_SORT_KEYS), "snapshot_add_time_descending")
        ]
        ownership = choice(params, "ownership", ("all", "owner", "shared"), "all")
        status = choice(
            params, "snapshot_status", ("all", "processing", "active", "deleted"), "active"
        )
        cycle = choice(
            params, "snapshot_cycle", ("all", "manual", "daily", "weekly", "monthly"), "all"
        )
        server_id = optional(params, "server_id", 20)

        now = store.now()
        matching = [
            snapshot
            for snapshot in store.snapshots()
            if ownership != "shared"
            and cycle in ("all", "manual")
            and status in ("all", snapshot.status(now))
            and server_id in (None, snapshot.server_id)
        ]
        records = [snapshot.detail(now) for snapshot in matching]
        # Ties keep creation order (reversed when descending), so paging is stable.
        order = sorted(
            range(len(matching)),
            key=lambda i: (
                records[i]["snapshot_size"] if sort_key == "size" else matching[i].created_at,
                matching[i].seq,
            ),
            reverse=descending,
        )
        records = [records[i] for i in order]
        total_pages = math.ceil(len(records) / per_page)
        page = max(1, min(page, total_pages))
        data = {
            "total_records": len(records),
            "records_per_page": per_page,
            "total_pages": total_pages,
            "page": page,
            "records": records[(page - 1) * per_page : page * per_page],
        }
        return "Snapshot list has been retrieved.", data

    def _set_server_snapshot_schedule(
        self, store: Store, params: Mapping[str, str]
    ) -> tuple[str, Any]:
        schedule = Schedule(
            require(params, "server_id", 50), *(max_age(params, cycle) for cycle in _CYCLES)
        )
        store.set_schedule(schedule)
        return "Server snapshot schedule has been set.", schedule.echo()

    @staticmethod
    def _found(snapshot: SnapshotRecord | None) -> SnapshotRecord:
        if snapshot is None:
            raise ApiError(NOT_FOUND, "Snapshot not found.")
        return snapshot

    # faults

    def set_fault(self, fault: Fault, times: int | None) -> None:
        if times is not None and times < 1:
            raise ValueError("times must be at least 1 (or None for until cleared)")
        with self._lock:
            self._faults[fault.function] = _FaultSlot(fault, times)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def _take_fault(self, function: str) -> Fault | None:
        with self._lock:
            key = function if function in self._faults else "*"
            slot = self._faults.get(key)
            if slot is None:
                return None
            if slot.remaining is not None:
                slot.remaining -= 1
                if slot.remaining == 0:
                    del self._faults[key]
            return slot.fault

    def _pause(self, seconds: float) -> None:
        if seconds > 0 and self.stopping.wait(seconds):
            raise _Aborted

    def _fault_response(self, fault: Fault, fmt: str) -> _Response:
        status = fault.http_status or 200
        if fault.body is not None:
            return _Response(status, fault.body, API_CONTENT_TYPE)
        if fault.error is not None:
            code, message = fault.error
            return self._envelope(fmt, code, message, status)
        return _Response(status, b"", API_CONTENT_TYPE)

    # the call log, data access and handler errors

    def calls(self, function: str | None) -> list[Call]:
        with self._lock:
            return [call for call in self._calls if function in (None, call.function)]

    def clear_calls(self) -> None:
        with self._lock:
            self._calls.clear()

    def snapshots(self, include_deleted: bool) -> list[dict[str, Any]]:
        store = self._require_store()
        now = store.now()
        return [
            snapshot.detail(now)
            for snapshot in store.snapshots()
            if include_deleted or snapshot.deleted_at is None
        ]

    def schedules(self) -> list[dict[str, Any]]:
        return [schedule.echo() for schedule in self._require_store().schedules()]

    def delete_behind_back(self, snapshot_id: str) -> None:
        if self._require_store().mark_deleted(snapshot_id) is None:
            raise KeyError(snapshot_id)

    def reset(self) -> None:
        self._require_store().reset()
        with self._lock:
            self._calls.clear()
            self._faults.clear()

    def record_error(self, error: BaseException) -> None:
        with self._lock:
            self._errors.append(error)

    def errors(self) -> list[BaseException]:
        with self._lock:
            return list(self._errors)

    def take_errors(self) -> list[BaseException]:
        with self._lock:
            errors, self._errors = self._errors, []
        return errors

    def _require_store(self) -> Store:
        if self.store is None:
            raise RuntimeError("the sandbox is not running")
        return self.store

    # the admin interface

    def _admin(self, method: str, route: str, query: str, body: bytes) -> _Response:
        try:
            if method == "GET" and route == "calls":
                return _json_response([dataclasses.asdict(call) for call in self.calls(None)])
            if method == "GET" and route == "snapshots":
                include = dict(parse_qsl(query)).get("include_deleted", "1") not in ("0", "false")
                return _json_response(self.snapshots(include))
            if method == "GET" and route == "schedules":
                return _json_response(self.schedules())
            if method == "POST" and route == "clear_calls":
                self.clear_calls()
            elif method == "POST" and route == "clear_faults":
                self.clear_faults()
            elif method == "POST" and route == "reset":
                self.reset()
            elif method == "POST" and route.startswith("delete/"):
                self.delete_behind_back(unquote(route[len("delete/") :]))
            elif method == "POST" and route == "fault":
                self._admin_fault(body)
            else:
                return _json_response({"error": "unknown admin request"}, 404)
        except KeyError as missing:
            return _json_response({"error": f"not found: {missing}"}, 404)
        except (ValueError, TypeError) as error:
            return _json_response({"error": str(error)}, 400)
        return _json_response({"ok": True})

    def _admin_fault(self, body: bytes) -> None:
        spec = json.loads(body or b"{}")
        if not isinstance(spec, dict):
            raise ValueError("the fault must be a JSON object")
        times = spec.pop("times", None)
        if spec.get("error") is not None:
            spec["error"] = tuple(spec["error"])
        if spec.get("body") is not None:
            spec["body"] = str(spec["body"]).encode("utf-8")
        self.set_fault(Fault(**spec), times)


def _json_response(value: Any, status: int = 200) -> _Response:
    return _Response(status, json.dumps(value).encode("utf-8"), _JSON_CONTENT_TYPE)


# --- HTTP --------------------------------------------------------------------------------------


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], app: _App) -> None:
        self.app = app
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    server_version = "node-sandbox"

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: calls are logged by the app, without their parameters."""

    def _serve(self, method: str) -> None:
        app = cast(_HTTPServer, self.server).app
        length_header = self.headers.get("Content-Length") or "0"
        if not length_header.isdigit():
            self.send_error(HTTPStatus.BAD_REQUEST, "bad Content-Length")
            return
        length = int(length_header)
        if length > MAX_BODY:
            self.send_error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
            return
        try:
            body = self.rfile.read(length) if length > 0 else b""
            response = app.handle(method, self.path, body, self.headers.get("Content-Type", ""))
        except _Aborted:
            self.close_connection = True
            return
        except Exception as error:
            app.record_error(error)
            response = _Response(
                500, b"sandbox handler error (see Sandbox.errors)\n", "text/plain; charset=utf-8"
            )
        try:
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            self.wfile.write(response.body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (a timeout test): nothing to answer to


# --- the public facade -------------------------------------------------------------------------


class Sandbox:
    """The sandbox API server on a loopback socket, run in a daemon thread; a context manager.

    ``port=0`` picks a free port (read it back from ``.port``). ``db`` is a SQLite file (kept
    across restarts) or ``":memory:"``. A snapshot turns ``active`` ``processing_seconds`` after
    creation as measured by ``clock`` (inject one to step time in tests). Each call is written as
    one line to ``log`` if given. Exceptions raised inside the request handler are answered with
    HTTP 500, kept in ``.errors`` and re-raised by ``.stop()`` so that tests notice them.

    The ``/_sandbox/`` admin interface has no authentication: it is meant for a local sandbox
    that only listens on loopback (the default host).
    """

    def __init__(
        self,
        user_id: str,
        api_key: str,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        db: str | os.PathLike[str] = ":memory:",
        processing_seconds: float = 2.0,
        clock: Callable[[], float] = time.time,
        log: TextIO | None = None,
    ) -> None:
        if processing_seconds < 0:
            raise ValueError("processing_seconds must not be negative")
        self._app = _App(user_id, api_key, log)
        self._host = host
        self._requested_port = port
        self._db = db
        self._processing_seconds = processing_seconds
        self._clock = clock
        self._server: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    def __repr__(self) -> str:
        where = self.url if self._server is not None else "stopped"
        return f"Sandbox(user_id={self._app.user_id!r}, {where})"

    def start(self) -> Sandbox:
        """Open the database and start serving; returns self."""
        if self._server is not None:
            raise RuntimeError("the sandbox is already running")
        store = Store(self._db, processing_seconds=self._processing_seconds, clock=self._clock)
        try:
            server = _HTTPServer((self._host, self._requested_port), self._app)
        except BaseException:
            store.close()
            raise
        self._app.store = store
        self._app.stopping.clear()
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": _POLL_INTERVAL},
            name=f"node-sandbox:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the database; then re-raise the first handler exception."""
        server, thread, store = self._server, self._thread, self._app.store
        if server is not None and thread is not None and store is not None:
            self._app.stopping.set()  # ends latency-fault waits
            server.shutdown()
            server.server_close()
            thread.join()
            self._app.wait_idle(timeout=5.0)
            self._server = self._thread = self._app.store = None
            store.close()
        errors = self._app.take_errors()
        if errors:
            raise errors[0]

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def host(self) -> str:
        """The address listened on."""
        return self._host

    @property
    def port(self) -> int:
        """The port actually listened on (the free one picked for ``port=0``)."""
        if self._server is None:
            raise RuntimeError("the sandbox is not running")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """Base URL of the "real" stage, e.g. ``http://127.0.0.1:PORT/api/v1/``."""
        return f"http://{self._host}:{self.port}/api/v1/"

    @property
    def sandbox_url(self) -> str:
        """Base URL of the "sandbox" stage, ``http://127.0.0.1:PORT/api-sandbox/v1/``."""
        return f"http://{self._host}:{self.port}/api-sandbox/v1/"

    @property
    def errors(self) -> list[BaseException]:
        """Exceptions raised inside the request handler so far (not cleared by ``reset``)."""
        return self._app.errors()

    def calls(self, function: str | None = None) -> list[Call]:
        """The API calls answered so far, oldest first, optionally of one function only."""
        return self._app.calls(function)

    def clear_calls(self) -> None:
        """Forget the calls logged so far."""
        self._app.clear_calls()

    def snapshots(self, include_deleted: bool = True) -> list[dict[str, Any]]:
        """Every stored snapshot, oldest first, each shaped like get_snapshot_detail's data."""
        return self._app.snapshots(include_deleted)

    def schedules(self) -> list[dict[str, Any]]:
        """Every stored schedule, shaped like set_server_snapshot_schedule's data."""
        return self._app.schedules()

    def delete_snapshot_behind_back(self, snapshot_id: str) -> None:
        """Mark a snapshot deleted without an API call (as if deleted in the web panel).

        Raises KeyError for an id that does not exist.
        """
        self._app.delete_behind_back(snapshot_id)

    def reset(self) -> None:
        """Drop all data (snapshots, schedules, used randoms), the call log and the faults."""
        self._app.reset()

    def set_fault(
        self,
        function: str,
        *,
        latency: float = 0.0,
        error: tuple[str, str] | None = None,
        http_status: int | None = None,
        body: bytes | None = None,
        times: int | None = None,
        after: bool = False,
    ) -> None:
        """Misbehave on calls of ``function`` (or ``"*"``); see `Fault` for the kinds.

        ``times=N`` applies to the next N such calls only, None until ``clear_faults``. Setting
        a fault for a function replaces the one it had; a function's own fault wins over ``"*"``.
        """
        fault = Fault(function, latency, error, http_status, body, after)
        self._app.set_fault(fault, times)

    def clear_faults(self) -> None:
        """Remove every fault."""
        self._app.clear_faults()
