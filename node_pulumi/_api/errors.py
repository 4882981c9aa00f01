"""The exception tree: every failure this package raises is a `NodeError`.

Errors carry their facts as attributes and never hold the API key or a request checksum, so their
text is safe to show in CLI output and CI logs.
"""

from __future__ import annotations

import re


class NodeError(Exception):
    """Base class of every error raised by node_pulumi."""


class NodeConfigError(NodeError):
    """A required setting is missing or a setting has an invalid value."""


class NodeInputError(NodeError, ValueError):
    """An argument fails its check, before any API call or credentials (a ``ValueError`` too).

    ``function`` is what was called (``get_snapshots``); ``failures`` pairs each argument's name
    with why it is refused.
    """

    def __init__(self, function: str, failures: list[tuple[str, str]]) -> None:
        self.function = function
        self.failures = failures
        super().__init__(f"{function}: " + "; ".join(reason for _, reason in failures))


class NodeApiError(NodeError):
    """The API answered with an envelope whose ``code`` is not ``OK``.

    ``hint`` is advice added by the client (for refused credentials: which settings to check).
    """

    def __init__(
        self,
        code: str,
        message: str,
        function: str,
        http_status: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.code = code
        self.message = message
        self.function = function
        self.http_status = http_status
        self.hint = hint
        detail = f": {message}" if message else ""
        advice = f"; {hint}" if hint else ""
        super().__init__(f"node.co.id {function} failed with {code}{detail}{advice}")

    @property
    def is_credentials_error(self) -> bool:
        """Whether the answer is about the caller (user id, API key, checksum), not an object.

        The published docs list no error codes, so the rule is about what the answer's words say
        *failed* (`is_about_credentials`): the caller's user, account, key, token or checksum
        as the subject of a failure ("User not found.", ``USER_NOT_FOUND``, "Invalid user_id.",
        "API key does not exist.", ``INVALID_CHECKSUM``), any authentication wording
        (``AUTH_FAILED``, "Unauthorized", "invalid credentials"), or an HTTP 401/403 with an
        envelope. A credential word that only scopes an object's failure ("Snapshot not found
        for this user.") does not count: that answer is about the snapshot. Such an answer is
        never taken as "the snapshot is gone" (see `node_pulumi._core.gone`).
        """
        return self.http_status in (401, 403) or is_about_credentials(self.code, self.message)


MISSING = (
    r"(?:(?:was|is|has\s+been|could)\s+)?"
    r"(?:not\s+(?:be\s+)?found|(?:cannot|can't)\s+be\s+found|does\s+not\s+exists?"
    r"|doesn't\s+exists?|do\s+not\s+exist|not\s+exists?|no\s+longer\s+exists?)"
)
"""Not-found wording, after the noun it is about (in `answer_words` form)."""
OBJECTS = ("snapshot", "server", "file", "page", "record", "function", "parameter")
"""Nouns of things other than the caller: words between a caller noun and its failure that
name one of these make the failure that thing's, not the caller's."""

_CALLER = r"(?:users?|userid|accounts?|checksums?|api\s?keys?|keys?|tokens?)"
_FAILED = (
    rf"(?:{MISSING}|(?:(?:is|was|are)\s+)?(?:not\s+valid|invalid|incorrect|wrong|unknown|expired"
    r"|disabled|suspended|blocked|inactive|mismatch(?:ed)?|failed|refused|rejected|denied"
    r"|not\s+allowed|not\s+authori[sz]ed))"
)
_OTHER_OBJECT = "|".join(OBJECTS)
_CREDENTIALS = re.compile(
    # the caller's noun, up to three words naming no other object, then what failed
    rf"\b{_CALLER}\b(?:\s+(?!(?:{_OTHER_OBJECT})s?\b)\S+){{0,3}}?\s+{_FAILED}\b"
    # what failed, then the caller's noun: "invalid user id"
    r"|\b(?:invalid|incorrect|wrong|unknown|bad|expired|disabled|suspended|nonexistent"
    rf"|no\s+such)\s+{_CALLER}\b"
    # authentication, whatever it says of it
    r"|\b(?:auth|authenticat\w*|authori[sz]ation|unauthori[sz]ed|credentials?)\b"
)


def is_about_credentials(code: str, message: str) -> bool:
    """Whether an answer's code or message says the caller's credentials failed: a caller noun
    (user, user id, account, key, token, checksum) as the subject of a failure, or any
    authentication wording. The rule of `NodeApiError.is_credentials_error`."""
    return _CREDENTIALS.search(answer_words(code, message)) is not None


def names_client_ip(code: str, message: str) -> bool:
    """Whether an answer is about the ``client_ip_address`` parameter (missing or invalid)."""
    return "client ip address" in answer_words(code, message)


def client_ip_hint(code: str, message: str, *, sent: bool) -> str | None:
    """Advice for an answer about ``client_ip_address`` (None for any other): which setting
    gives it when it was not ``sent`` (the newer page requires it on get_snapshot_detail), and
    which to check when it was."""
    if not names_client_ip(code, message):
        return None
    if not sent:
        return (
            "the API wants a client IP address for this call: set stack config "
            "node:clientIpAddress or environment variable NODE_CLIENT_IP_ADDRESS to the public "
            "IPv4 address of the machine that would download snapshots"
        )
    return "check the client IP address (node:clientIpAddress or NODE_CLIENT_IP_ADDRESS)"


def answer_words(code: str, message: str) -> str:
    """An answer's code and message as lowercase words, the form its wording is matched in:
    ``USER_NOT_FOUND`` -> ``user not found``, ``snapshot_id`` -> ``snapshot id``."""
    return " ".join(re.sub(r"[_\-]", " ", f"{code} {message}").lower().split())


class NodeTransportError(NodeError):
    """No usable answer came back: connection failure, timeout, or an HTTP error without envelope.

    ``may_have_reached_server`` is False only when the request certainly was not received (no
    connection to the API or the proxy, a failed TLS handshake, a proxy refusing the tunnel);
    otherwise the API may have acted on it.
    """

    def __init__(
        self,
        function: str,
        reason: str,
        *,
        may_have_reached_server: bool,
        http_status: int | None = None,
    ) -> None:
        self.function = function
        self.reason = reason
        self.may_have_reached_server = may_have_reached_server
        self.http_status = http_status
        super().__init__(f"node.co.id {function}: {reason}")


class NodeNotTheApiError(NodeTransportError):
    """Something other than the API answered: an HTTP 4xx whose body is no API envelope.

    A proxy, a firewall, an IP allow-list or a web server in front of the API refused the
    request, so the API never acted on it: ``may_have_reached_server`` is False, it is not
    retried, and a create that got it certainly took no snapshot. ``content_type`` is the
    answer's (None when it had none) and ``title`` an HTML page's ``<title>`` (None for other
    bodies). A 401 or 403 (`refuses_access`) points at proxies, firewalls and allow-lists.
    """

    def __init__(
        self,
        function: str,
        http_status: int,
        reason: str,
        content_type: str | None,
        title: str | None,
    ) -> None:
        self.content_type = content_type
        self.title = title
        kind = content_type or "no content type"
        page = f", page title {title!r}" if title else ""
        what = (
            "a proxy, firewall or IP allow-list between this machine and the API refused the "
            "request (check HTTPS_PROXY / NO_PROXY, and that the API allows this machine's "
            "address)"
            if http_status in (401, 403)
            else "the endpoint may be wrong (check node:endpoint / NODE_ENDPOINT), or a proxy "
            "answered"
        )
        super().__init__(
            function,
            f"HTTP {http_status} {reason} from something other than the API ({kind}{page}): "
            f"{what}; the API did not act on the request",
            may_have_reached_server=False,
            http_status=http_status,
        )

    @property
    def refuses_access(self) -> bool:
        """Whether the answer refused access (HTTP 401 or 403): a credentials-like failure."""
        return self.http_status in (401, 403)


class NodeDecodeError(NodeError):
    """A response arrived but its body is not a valid envelope in the requested format."""

    def __init__(self, function: str, reason: str, excerpt: str = "") -> None:
        self.function = function
        self.reason = reason
        self.excerpt = excerpt
        shown = f" (body starts {excerpt!r})" if excerpt else ""
        super().__init__(f"node.co.id {function}: undecodable response: {reason}{shown}")


class SnapshotUncertainError(NodeError):
    """create_snapshot may have reached the API, but no usable answer came back.

    A snapshot may exist that Pulumi does not know of. ``candidates`` are the ids of the server's
    snapshots that were processing right after the failure (empty when they could not be looked
    up); the error's ``__cause__`` is the failure itself.
    """

    def __init__(
        self, server_id: str, cause: NodeError, candidates: list[str], advice: str
    ) -> None:
        self.server_id = server_id
        self.function = "create_snapshot"
        self.candidates = candidates
        super().__init__(
            f"{cause}; the API may have started a snapshot of server {server_id} anyway: {advice}"
        )


class SnapshotWaitError(NodeError):
    """Waiting for a snapshot to become active did not succeed; the snapshot exists."""

    def __init__(self, snapshot_id: str, status: str | None, message: str) -> None:
        self.snapshot_id = snapshot_id
        self.status = status
        super().__init__(message)


class SnapshotTimeoutError(SnapshotWaitError):
    """The snapshot was still not active when the deadline passed."""

    def __init__(self, snapshot_id: str, status: str | None, timeout: float) -> None:
        self.timeout = timeout
        super().__init__(
            snapshot_id,
            status,
            f"snapshot {snapshot_id} was created but is still {status or 'not active'} after "
            f"{timeout:g}s; it exists outside Pulumi's state: adopt it with Snapshot.get or "
            "delete it",
        )


class SnapshotFailedError(SnapshotWaitError):
    """The snapshot reached a status other than ``processing`` or ``active`` while waiting."""

    def __init__(self, snapshot_id: str, status: str | None) -> None:
        super().__init__(
            snapshot_id,
            status,
            f"snapshot {snapshot_id} was created but became {status!r} instead of 'active'",
        )


class SnapshotWaitCancelled(SnapshotWaitError):
    """The engine cancelled the operation (its ``Cancel``) while it waited; the snapshot exists."""

    def __init__(self, snapshot_id: str, status: str | None) -> None:
        super().__init__(
            snapshot_id,
            status,
            f"snapshot {snapshot_id} is still {status or 'not active'}: waiting was cancelled",
        )


class NodeCancelledError(NodeError):
    """An operation that would start something arrived after the engine's ``Cancel``.

    After Cancel (the first Ctrl-C, and the end of every run) the plugin starts nothing new: a
    ``Create`` or ``Update`` then fails at once, before any API call. ``operation`` is the RPC,
    ``resource`` the resource's URN.
    """

    def __init__(self, operation: str, resource: str) -> None:
        self.operation = operation
        self.resource = resource
        name = resource.rsplit("::", 1)[-1] or resource
        super().__init__(
            f"{operation} of {name} not started: the engine cancelled this run (Ctrl-C), so "
            "pulumi-resource-node starts nothing new; run `pulumi up` again"
        )


class SnapshotNotFoundError(NodeError):
    """``Snapshot.get`` (adoption) named a snapshot that does not exist or was deleted."""

    def __init__(self, snapshot_id: str, reason: str) -> None:
        self.snapshot_id = snapshot_id
        self.reason = reason
        super().__init__(
            f"snapshot {snapshot_id} does not exist ({reason}): Snapshot.get can only adopt an "
            "existing snapshot"
        )
