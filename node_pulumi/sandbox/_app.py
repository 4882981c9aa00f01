"""The API behind the sandbox's HTTP layer: parsing, authentication, envelopes, faults, the log.

It checks what the real API is documented to check (user id, triple-SHA1 checksum, required
parameters, documented lengths and values) and, unlike the documentation says of the real one,
rejects a reused ``random``. Only the account's known servers can be snapshotted, scheduled,
read or reinstalled.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import math
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TextIO
from urllib.parse import parse_qsl, unquote

from . import _seed
from ._account import Account
from ._faults import Fault, Faults
from ._functions import FUNCTIONS
from ._params import (
    DUPLICATE_RANDOM,
    INVALID_CHECKSUM,
    INVALID_PARAMETER,
    INVALID_USER,
    UNKNOWN_FUNCTION,
    ApiError,
    require,
)
from ._render import API_CONTENT_TYPE, render
from ._seed import FIRST_SEEDED_ID
from ._servers import ORDER_STATUSES, PACKAGES, SERVER_STATUSES
from ._store import Store, format_time, parse_time

API_PREFIXES = ("/api/v1/", "/api-sandbox/v1/")

_FORMATS = ("json", "xml")
_PROFILE_CHOICES = {
    "server_status": SERVER_STATUSES,
    "order_status": ORDER_STATUSES,
    "package": PACKAGES,
    "ownership": ("owner", "shared"),
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
class Response:
    """An HTTP answer for the handler to send."""

    status: int
    body: bytes
    content_type: str
    code: str | None = None


class Aborted(Exception):
    """The sandbox is stopping while a call waits out a latency fault: drop the connection."""


def _sha1_hex(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()  # noqa: S324 - the API's scheme


def _expected_checksum(user_id: str, api_key: str, random: str) -> str:
    """The API's checksum; written here independently of the client's on purpose."""
    return _sha1_hex(_sha1_hex(_sha1_hex(user_id + api_key + random)))


def printable(text: str) -> str:
    """``text`` with control characters and backslashes escaped, so it fits on one log line.

    A request path is the caller's text: ``%0A`` in it must not start a forged log line.
    """
    return text.encode("unicode_escape").decode("ascii")


class App:
    """The API: answers calls, keeps the call log and the handler errors, owns the faults."""

    def __init__(
        self,
        user_id: str,
        api_key: str,
        *,
        servers: Iterable[str],
        log: TextIO | None,
        daily_key: str = "daiy_snapshots",
    ) -> None:
        self.user_id = user_id
        self._api_key = api_key
        self.servers = frozenset(servers)
        self.daily_key = daily_key
        self._log = log
        self.store: Store | None = None
        self.stopping = threading.Event()
        self.faults = Faults()
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._logged = threading.Condition(self._lock)
        self._in_flight = 0
        self._calls: list[Call] = []
        self._errors: list[BaseException] = []

    @contextlib.contextmanager
    def in_flight(self) -> Iterator[None]:
        """Count a request as in progress while the block runs (see `wait_idle`)."""
        with self._lock:
            self._in_flight += 1
        try:
            yield
        finally:
            with self._lock:
                self._in_flight -= 1
                self._idle.notify_all()

    def wait_idle(self, timeout: float) -> None:
        """Wait (bounded) for requests in progress to finish, before the store is closed."""
        with self._lock:
            self._idle.wait_for(lambda: self._in_flight == 0, timeout)

    def handle(self, method: str, target: str, body: bytes, content_type: str) -> Response:
        """Answer one API request (``target`` is the request line's path and query)."""
        path, _, query = target.partition("?")
        params = dict(parse_qsl(query, keep_blank_values=True))
        # Like PHP's $_REQUEST: a form body's values override the query string's.
        if method == "POST" and content_type.startswith("application/x-www-form-urlencoded"):
            params.update(parse_qsl(body.decode("latin-1"), keep_blank_values=True))
        function = path
        for prefix in API_PREFIXES:
            if path.startswith(prefix):
                function = unquote(path[len(prefix) :])
        requested_format = params.get("format") or "json"
        fmt = requested_format if requested_format in _FORMATS else "json"
        if function in FUNCTIONS:
            fault = self.faults.take(function)
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
            self._logged.notify_all()
        if self._log is not None:
            faulted = " (fault)" if call.faulted else ""
            print(
                f"{method} {printable(function)} format={fmt} -> {call.code} {call.http_status}"
                f"{faulted}",
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
    ) -> Response:
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
    ) -> Response:
        store = self._require_store()
        try:
            if requested_format not in _FORMATS:
                raise ApiError(INVALID_PARAMETER, "Invalid parameter format: json or xml.")
            self._authenticate(store, params)
            account = Account(store, self.servers, self.daily_key)
            message, data = FUNCTIONS[function](account, params)
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
    ) -> Response:
        body = render(fmt, code, message, {} if data is None else data)
        return Response(status, body, API_CONTENT_TYPE, code)

    # faults

    def _pause(self, seconds: float) -> None:
        if seconds > 0 and self.stopping.wait(seconds):
            raise Aborted

    def _fault_response(self, fault: Fault, fmt: str) -> Response:
        status = fault.http_status or 200
        if fault.body is not None:
            return Response(status, fault.body, API_CONTENT_TYPE)
        if fault.error is not None:
            code, message = fault.error
            return self._envelope(fmt, code, message, status)
        return Response(status, b"", API_CONTENT_TYPE)

    # the call log, data access and handler errors

    def calls(self, function: str | None) -> list[Call]:
        with self._lock:
            return [call for call in self._calls if function in (None, call.function)]

    def wait_for_calls(self, function: str | None, count: int, timeout: float) -> list[Call]:
        """Block until ``count`` calls (of ``function``, or of any) are logged, or ``timeout``
        seconds pass; return those logged by then."""
        with self._lock:
            self._logged.wait_for(
                lambda: sum(function in (None, c.function) for c in self._calls) >= count, timeout
            )
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

    def reinstalls(self, server_id: str | None) -> list[dict[str, Any]]:
        store = self._require_store()
        return [
            {
                "server_id": r.server_id,
                "install_source": r.install_source,
                "snapshot_id": r.snapshot_id,
                "started_at": format_time(r.started_at),
                "ready_at": format_time(r.ready_at),
            }
            for r in store.reinstalls(server_id)
        ]

    def root_password(self, server_id: str) -> str:
        if server_id not in self.servers:
            raise KeyError(server_id)
        return self._require_store().server(server_id).root_password

    def add_snapshot(
        self,
        snapshot_id: str,
        server_id: str,
        *,
        created_at: str,
        size_gb: float,
        processing: bool = False,
    ) -> None:
        taken = parse_time(created_at)
        self._require_store().add_snapshot(
            snapshot_id,
            server_id,
            created_at=taken,
            size_gb=size_gb,
            ready_at=math.inf if processing else None,
        )

    def add_servers(self, server_ids: Iterable[str]) -> None:
        """Give the account more servers."""
        with self._lock:
            self.servers = self.servers | frozenset(server_ids)

    def set_server(self, server_id: str, changes: Mapping[str, str]) -> None:
        if server_id not in self.servers:
            raise KeyError(server_id)
        for name, allowed in _PROFILE_CHOICES.items():
            if name in changes and changes[name] not in allowed:
                raise ValueError(f"{name} must be one of {', '.join(allowed)}")
        self._require_store().set_profile(server_id, **changes)

    def seed(self, servers: int, snapshots: int, seed: int) -> list[str]:
        numeric = [int(i) + 1 for i in self.servers if i.isdigit() and int(i) >= FIRST_SEEDED_ID]
        seeded = _seed.seed(
            self._require_store(),
            servers,
            snapshots,
            first_id=max([FIRST_SEEDED_ID, *numeric]),
            seed=seed,
        )
        self.add_servers(seeded.server_ids)
        return list(seeded.server_ids)

    def delete_behind_back(self, snapshot_id: str) -> None:
        if self._require_store().mark_deleted(snapshot_id) is None:
            raise KeyError(snapshot_id)

    def reset(self) -> None:
        self._require_store().reset()
        self.faults.clear()
        with self._lock:
            self._calls.clear()

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
