"""`NodeClient`: one transport for every call to the node.co.id API.

It owns the ``requests.Session``, the endpoint, the timeout, the authentication parameters and the
retry rule, so that each API function below only names itself and its parameters.

The retry rule, in one place:

* A request that certainly never reached the server (the connection could not be opened) is
  retried by urllib3's ``Retry`` for every function: that cannot duplicate anything.
* A request that may have reached the server (read timeout, reset connection, HTTP 5xx or 429) is
  retried only for functions that are safe to repeat (every function except ``create_snapshot``),
  with a fresh ``random`` and checksum, since the API rejects a reused ``random``.
* ``create_snapshot`` is never repeated once it may have been received: a second snapshot of the
  server would be taken. Its error says so (``NodeTransportError.may_have_reached_server``).
* An answer from the API (an envelope with ``code`` other than ``OK``) is never retried.
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import NameResolutionError, NewConnectionError
from urllib3.util.retry import Retry

from ._auth import checksum, new_random
from ._decode import decode_envelope, unwrap
from ._errors import NodeConfigError, NodeDecodeError, NodeTransportError

REAL_ENDPOINT = "https://node.co.id/api/v1/"
SANDBOX_ENDPOINT = "https://node.co.id/api-sandbox/v1/"
FORMATS = ("json", "xml")

NOT_REPEATABLE = frozenset({"create_snapshot"})
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class NodeClient:
    """A client of the node.co.id API for one account.

    Every method returns the response's ``data`` as plain Python values, identical for the JSON
    and the XML format. Failures raise a `NodeError` subclass. TLS certificates are always
    verified; a plain ``http://`` endpoint is accepted only on a loopback host (a local sandbox).
    """

    def __init__(
        self,
        user_id: str,
        api_key: str,
        *,
        endpoint: str = REAL_ENDPOINT,
        response_format: str = "json",
        timeout: float = 20.0,
        retries: int = 3,
        backoff: float = 0.5,
    ) -> None:
        if not user_id or not api_key:
            raise NodeConfigError("NodeClient needs a user_id and an api_key")
        if response_format not in FORMATS:
            raise NodeConfigError(
                f"response_format must be 'json' or 'xml', not {response_format!r}"
            )
        if not timeout > 0:
            raise NodeConfigError(f"timeout must be a positive number of seconds, not {timeout!r}")
        self.user_id = user_id
        self.__api_key = api_key
        self.endpoint = check_endpoint(endpoint)
        self.response_format = response_format
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self._session = requests.Session()
        self._session.trust_env = False  # a proxy or netrc from the environment must not see us
        connect_only = Retry(
            total=retries,
            connect=retries,
            read=0,
            status=0,
            other=0,
            redirect=0,
            backoff_factor=backoff,
            raise_on_status=False,
        )
        self._session.mount(self.endpoint, HTTPAdapter(max_retries=connect_only))

    def __repr__(self) -> str:
        return f"NodeClient(user_id={self.user_id!r}, endpoint={self.endpoint!r})"

    def __enter__(self) -> NodeClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the pooled connections."""
        self._session.close()

    def call(self, function: str, **params: Any) -> Any:
        """Call an API function with ``params`` (``None`` values are left out); return ``data``."""
        form = {k: str(v) for k, v in params.items() if v is not None}
        attempts = 1 if function in NOT_REPEATABLE else 1 + self.retries
        for attempt in range(1, attempts + 1):
            try:
                return self._call_once(function, form)
            except NodeTransportError as exc:
                if attempt == attempts or not exc.may_have_reached_server:
                    raise
            time.sleep(self.backoff * 2 ** (attempt - 1))
        raise AssertionError("unreachable")  # pragma: no cover

    def create_snapshot(self, server_id: str) -> dict[str, Any]:
        """Start a manual snapshot of ``server_id``; ``data`` has ``snapshot_id`` and status."""
        result: dict[str, Any] = self.call("create_snapshot", server_id=server_id)
        return result

    def get_snapshot_detail(
        self, snapshot_id: str, client_ip_address: str | None = None
    ) -> dict[str, Any]:
        """Return one snapshot's details (``client_ip_address`` may download it from the URL)."""
        result: dict[str, Any] = self.call(
            "get_snapshot_detail", snapshot_id=snapshot_id, client_ip_address=client_ip_address
        )
        return result

    def delete_snapshot(self, snapshot_id: str) -> dict[str, Any]:
        """Delete a snapshot; ``data`` has its id and the status ``deleted``."""
        result: dict[str, Any] = self.call("delete_snapshot", snapshot_id=snapshot_id)
        return result

    def get_snapshot_list(self, **filters: Any) -> Iterator[dict[str, Any]]:
        """Yield every snapshot matching ``filters`` (the API's parameter names), page by page.

        ``client_ip_address`` is required by the API. ``page`` starts the walk at that page.
        """
        page = int(filters.pop("page", 1))
        filters.setdefault("records_per_page", 100)
        while True:
            data = self.call("get_snapshot_list", page=page, **filters)
            yield from data.get("records") or []
            # A page past the end answers the last page again: stop on the reported count.
            if page >= int(data.get("total_pages") or 0):
                return
            page += 1

    def set_server_snapshot_schedule(self, server_id: str, **settings: Any) -> dict[str, Any]:
        """Set the automatic snapshot cycles of a server (``daily_snapshot="yes"``, ...)."""
        result: dict[str, Any] = self.call(
            "set_server_snapshot_schedule", server_id=server_id, **settings
        )
        return result

    def _call_once(self, function: str, form: Mapping[str, str]) -> Any:
        random = new_random()
        body = {
            **form,
            "user_id": self.user_id,
            "random": random,
            "checksum": checksum(self.user_id, self.__api_key, random),
            "format": self.response_format,
        }
        try:
            response = self._session.post(
                self.endpoint + function, data=body, timeout=self.timeout, allow_redirects=False
            )
        except requests.RequestException as exc:
            raise NodeTransportError(
                function, _describe(exc), may_have_reached_server=_may_have_reached(exc)
            ) from None
        status = response.status_code
        try:
            envelope = decode_envelope(response.content, self.response_format, function)
        except NodeDecodeError:
            if status >= 400:
                raise NodeTransportError(
                    function,
                    f"HTTP {status} {response.reason}",
                    may_have_reached_server=True,
                    http_status=status,
                ) from None
            raise
        if status in _RETRY_STATUSES and envelope.get("code") != "OK":
            raise NodeTransportError(
                function,
                f"HTTP {status}: {envelope.get('code')} {envelope.get('message') or ''}".strip(),
                may_have_reached_server=True,
                http_status=status,
            )
        return unwrap(envelope, function, status)


def check_endpoint(endpoint: str) -> str:
    """Return ``endpoint`` with a trailing slash; refuse plain HTTP except on loopback."""
    parts = urlsplit(endpoint)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise NodeConfigError(f"endpoint must be an https:// URL, not {endpoint!r}")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise NodeConfigError(
            f"endpoint {endpoint!r} uses plain http: only https is allowed, except for a "
            "sandbox on a loopback address (127.0.0.1, ::1, localhost)"
        )
    return endpoint if endpoint.endswith("/") else endpoint + "/"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _may_have_reached(exc: requests.RequestException) -> bool:
    if isinstance(exc, requests.ConnectTimeout):
        return False
    if isinstance(exc, requests.ConnectionError):
        reason = exc.args[0] if exc.args else None
        inner = getattr(reason, "reason", reason)
        return not isinstance(inner, NewConnectionError | NameResolutionError)
    return True


def _describe(exc: requests.RequestException) -> str:
    if isinstance(exc, requests.Timeout):
        return f"no answer in time ({type(exc).__name__})"
    if isinstance(exc, requests.ConnectionError):
        reason = exc.args[0] if exc.args else None
        inner = getattr(reason, "reason", reason)
        detail = str(inner).rsplit(": ", 1)[-1] if inner is not None else type(exc).__name__
        return f"connection failed: {detail}"
    return f"request failed ({type(exc).__name__})"
