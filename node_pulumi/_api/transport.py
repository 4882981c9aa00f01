"""`NodeClient`: one transport for every call to the node.co.id API.

It owns the ``requests.Session``, the endpoint, the timeout, the authentication parameters and the
retry rule, so that each API function below only names itself and its parameters.

The retry rule, in one place:

* A request that certainly never reached the server (the connection could not be opened) is
  retried by urllib3's ``Retry`` for every function: that cannot duplicate anything (so is a
  proxy that refuses connections). A failed TLS handshake and a proxy refusing the tunnel are
  certain too, but are not retried: they will not change by themselves.
* A request that may have reached the server (read timeout, reset connection, HTTP 5xx or 429) is
  retried only for functions that are safe to repeat (every function except ``create_snapshot``
  and ``reinstall_server``, `NOT_REPEATABLE`), with a fresh ``random`` and checksum, since the
  API rejects a reused ``random``. Which failures may have reached the server is told by
  `forensics`.
* ``create_snapshot`` and ``reinstall_server`` are never repeated once they may have been
  received: a second snapshot of the server would be taken, or a second reinstall started (and
  the server's downtime doubled). Their error says so
  (``NodeTransportError.may_have_reached_server``).
* An answer from the API (an envelope with ``code`` other than ``OK``) is never retried.
* An HTTP 4xx (but 429) whose body is no API envelope came from something in front of the API
  (a proxy, a firewall, an IP allow-list, a web server at a wrong endpoint): the API never got
  the request, so it is neither retried nor uncertain (`NodeNotTheApiError`, whose text says
  what answered: status, content type, an HTML page's title).

The environment is honoured as by any ``requests`` user, for https endpoints: ``HTTPS_PROXY`` /
``ALL_PROXY`` / ``NO_PROXY`` and ``REQUESTS_CA_BUNDLE`` / ``CURL_CA_BUNDLE`` (which can name other
CAs, never turn verification off). ``~/.netrc`` is not: the API authenticates by checksum, and
``requests`` would send a netrc password as a Basic ``Authorization`` header. A plain ``http://``
endpoint (a sandbox on loopback) ignores the environment: no proxy can reach our loopback.
"""

from __future__ import annotations

import ipaddress
import math
import time
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests.auth import AuthBase
from urllib3.util.retry import Retry

from .checksum import checksum, new_random
from .decode import Page, as_object, as_page, decode_envelope, html_title, unwrap
from .errors import (
    NodeApiError,
    NodeConfigError,
    NodeDecodeError,
    NodeNotTheApiError,
    NodeTransportError,
    client_ip_hint,
)
from .forensics import describe, may_have_reached

REAL_ENDPOINT = "https://node.co.id/api/v1/"
SANDBOX_ENDPOINT = "https://node.co.id/api-sandbox/v1/"
FORMATS = ("json", "xml")

NOT_REPEATABLE = frozenset({"create_snapshot", "reinstall_server"})
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
        if not (_is_number(timeout) and 0 < timeout < math.inf):
            raise NodeConfigError(f"timeout must be a positive number of seconds, not {timeout!r}")
        if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
            raise NodeConfigError(f"retries must be a whole number from 0 up, not {retries!r}")
        if not (_is_number(backoff) and 0 <= backoff < math.inf):
            raise NodeConfigError(f"backoff must be a number of seconds from 0 up, not {backoff!r}")
        self.user_id = user_id
        self.__api_key = api_key
        self.endpoint = check_endpoint(endpoint)
        self.response_format = response_format
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self._session = requests.Session()
        self._session.trust_env = self.endpoint.startswith("https:")
        self._session.auth = _NoAuth()  # without it, trust_env would add a ~/.netrc password
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

    def call(self, function: str, /, *, wait_at_most: float | None = None, **params: Any) -> Any:
        """Call an API function with ``params`` (``None`` values are left out); return ``data``.

        ``wait_at_most`` shortens the client's timeout for this call (a caller's deadline).
        """
        form = {k: str(v) for k, v in params.items() if v is not None}
        timeout = self.timeout if wait_at_most is None else min(self.timeout, wait_at_most)
        attempts = 1 if function in NOT_REPEATABLE else 1 + self.retries
        attempt = 1
        while True:
            try:
                return self._call_once(function, form, timeout)
            except NodeTransportError as exc:
                if attempt == attempts or not exc.may_have_reached_server:
                    raise
            time.sleep(self.backoff * 2 ** (attempt - 1))
            attempt += 1

    def create_snapshot(self, server_id: str, *, timeout: float | None = None) -> dict[str, Any]:
        """Start a manual snapshot of ``server_id``; ``data`` has ``snapshot_id`` and status.

        ``timeout`` (seconds) waits for the answer no longer than that, when shorter than the
        client's: a caller's deadline. An answer that does not come in time may still mean a
        snapshot was started (`NodeTransportError.may_have_reached_server`).
        """
        return as_object(
            self.call("create_snapshot", wait_at_most=timeout, server_id=server_id),
            "create_snapshot",
        )

    def get_snapshot_detail(
        self, snapshot_id: str, client_ip_address: str | None = None
    ) -> dict[str, Any]:
        """Return one snapshot's details (``client_ip_address`` may download it from the URL)."""
        return self._object(
            "get_snapshot_detail", snapshot_id=snapshot_id, client_ip_address=client_ip_address
        )

    def delete_snapshot(self, snapshot_id: str) -> dict[str, Any]:
        """Delete a snapshot; ``data`` has its id and the status ``deleted``."""
        return self._object("delete_snapshot", snapshot_id=snapshot_id)

    def get_snapshot_list(self, **filters: Any) -> Iterator[dict[str, Any]]:
        """Yield every snapshot matching ``filters`` (the API's parameter names), page by page.

        ``client_ip_address`` is required by the API. ``page`` starts the walk at that page. The
        walk ends at the reported page count, and also on an empty page or a page other than the
        one asked for (a page past the end answers the last page again).
        """
        return self._walk("get_snapshot_list", filters)

    def get_server_list(self, **filters: Any) -> Iterator[dict[str, Any]]:
        """Yield every server of the account matching ``filters`` (the API's parameter names),
        page by page, as `get_snapshot_list` walks its pages.

        Mind the API's defaults: without ``server_status="all"`` only servers that are ``on``
        are listed, and without ``order_status="all"`` only active orders. The root password
        each record may carry is dropped while decoding.
        """
        return self._walk("get_server_list", filters)

    def list_page(self, function: str, page: int, **filters: Any) -> Page:
        """One page of a list function (``get_snapshot_list``, ``get_server_list``), with the
        paging numbers the API reported: for a caller that checks the walk itself."""
        return as_page(self.call(function, page=page, **filters), function)

    def _walk(self, function: str, filters: dict[str, Any]) -> Iterator[dict[str, Any]]:
        page = int(filters.pop("page", 1))
        filters.setdefault("records_per_page", 100)
        while True:
            answer = self.list_page(function, page, **filters)
            if not answer.records or answer.page not in (None, page):
                return
            yield from answer.records
            if page >= (answer.total_pages or 0):
                return
            page += 1

    def set_server_snapshot_schedule(self, server_id: str, **settings: Any) -> dict[str, Any]:
        """Set the automatic snapshot cycles of a server (``daily_snapshot="yes"``, ...)."""
        return self._object("set_server_snapshot_schedule", server_id=server_id, **settings)

    def get_server_detail(self, server_id: str) -> dict[str, Any]:
        """Return one server's details, its status and snapshot schedule included.

        The root password the API sends is dropped while decoding: it is in no returned value.
        The daily schedule field arrives as published (``daiy_snapshots``) or spelled right;
        either way it is returned as ``daily_snapshots``.
        """
        data = self._object("get_server_detail", server_id=server_id)
        misspelled = data.pop("daiy_snapshots", None)
        if data.get("daily_snapshots") is None and misspelled is not None:
            data["daily_snapshots"] = misspelled
        return data

    def reinstall_server(
        self,
        server_id: str,
        install_source: str,
        *,
        snapshot_id: str | None = None,
        **params: Any,
    ) -> dict[str, Any]:
        """Start reinstalling ``server_id`` (from a snapshot: ``install_source="snapshot"`` and
        its ``snapshot_id``); ``data`` has the server's statuses. Everything on the server is
        replaced. Never repeated once it may have reached the API (see the module docstring).
        """
        return self._object(
            "reinstall_server",
            server_id=server_id,
            install_source=install_source,
            snapshot_id=snapshot_id,
            **params,
        )

    def _object(self, function: str, **params: Any) -> dict[str, Any]:
        return as_object(self.call(function, **params), function)

    def _call_once(self, function: str, form: Mapping[str, str], timeout: float) -> Any:
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
                self.endpoint + function, data=body, timeout=timeout, allow_redirects=False
            )
        except requests.RequestException as exc:
            raise NodeTransportError(
                function, describe(exc), may_have_reached_server=may_have_reached(exc)
            ) from None
        except OSError as exc:
            # requests raises a bare OSError, before connecting, for a CA bundle path
            # (REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE) that does not exist.
            raise NodeConfigError(
                f"node.co.id {function}: TLS certificates cannot be verified: {exc} (check "
                "REQUESTS_CA_BUNDLE and CURL_CA_BUNDLE)"
            ) from None
        status = response.status_code
        try:
            envelope = decode_envelope(response.content, self.response_format, function)
        except NodeDecodeError:
            if _not_the_api(status):
                content_type = response.headers.get("Content-Type")
                raise NodeNotTheApiError(
                    function,
                    status,
                    response.reason,
                    content_type,
                    html_title(response.content, content_type),
                ) from None
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
        try:
            return unwrap(envelope, function, status)
        except NodeApiError as exc:
            hint = self._hint(exc, form)
            if hint is None:
                raise
            raise NodeApiError(exc.code, exc.message, function, status, hint) from None

    def _hint(self, exc: NodeApiError, form: Mapping[str, str]) -> str | None:
        """Which settings to check for an API error about them: the credentials, or the client
        IP address (`client_ip_hint`)."""
        if exc.is_credentials_error:
            return self._credentials_hint()
        return client_ip_hint(exc.code, exc.message, sent="client_ip_address" in form)

    def _credentials_hint(self) -> str:
        return (
            f"the API refused the credentials: check the user id ({self.user_id!r}, stack "
            "config node:userId or environment variable NODE_USER_ID) and the API key (stack "
            "config node:apiKey or NODE_API_KEY: `pulumi config set --secret node:apiKey ...`) "
            f"for the endpoint {self.endpoint}"
        )


def _not_the_api(status: int) -> bool:
    """Whether an HTTP status without an API envelope means the API never got the request: a
    4xx, but for 429 (a rate limit, which may sit behind the API: retried as a 5xx is)."""
    return 400 <= status < 500 and status not in _RETRY_STATUSES


def check_endpoint(endpoint: str) -> str:
    """Return ``endpoint`` with a trailing slash; refuse plain HTTP except on loopback."""
    parts = urlsplit(endpoint)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise NodeConfigError(f"endpoint must be an https:// URL, not {endpoint!r}")
    if parts.username is not None or parts.password is not None:
        # Error text shows the endpoint, and requests would turn these into a Basic auth header.
        raise NodeConfigError("endpoint must not contain a user name or password")
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


class _NoAuth(AuthBase):
    """Leaves requests as they are: a session auth keeps requests from reading ``~/.netrc``."""

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        return request


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
