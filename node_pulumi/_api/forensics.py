"""What a failed ``requests`` call tells: whether the request may have reached the server, and a
short description of the failure for the error's text.

urllib3 wraps the socket and TLS errors in layers (``MaxRetryError``, ``ProxyError``,
``ProtocolError``); these functions look under them, so that the transport's retry rule can
tell a request that certainly never left from one that may have been received.
"""

from __future__ import annotations

import re
import ssl

import requests
from requests.exceptions import ProxyError, SSLError
from urllib3.exceptions import ConnectTimeoutError, ProtocolError
from urllib3.exceptions import ProxyError as Urllib3ProxyError
from urllib3.exceptions import SSLError as Urllib3SSLError


def may_have_reached(exc: requests.RequestException) -> bool:
    """Whether the request may have been received; False only when it certainly was not."""
    # SSLError: the TLS handshake with the API failed, before the request was written (urllib3
    # would report a TLS failure on an established connection the same way, but TLS stacks end
    # such connections with an EOF, which arrives as a dropped connection).
    if isinstance(exc, requests.ConnectTimeout | SSLError):
        return False
    cause = _cause(exc)
    # No TCP connection to the API or the proxy, or no TLS session with an https proxy.
    if isinstance(cause, ConnectTimeoutError | ssl.SSLError):
        return False
    # The proxy answered CONNECT with an error status (http.client's wording), so there is no
    # tunnel and nothing was sent. urllib3 labels that ProxyError, but also a connection dropped
    # after the request went through the tunnel: the cause tells the two apart.
    return not (isinstance(cause, OSError) and str(cause).startswith("Tunnel connection failed"))


def _cause(exc: requests.RequestException) -> object:
    """The socket, TLS or urllib3 error under a requests error, through urllib3's wrappers."""
    cause = exc.args[0] if exc.args else None
    cause = getattr(cause, "reason", cause)  # MaxRetryError
    if isinstance(cause, Urllib3ProxyError):
        cause = cause.original_error
    if isinstance(cause, ProtocolError | Urllib3SSLError) and cause.args:
        cause = cause.args[-1]
    return cause


def describe(exc: requests.RequestException) -> str:
    """A short description of the failure, for the text of `NodeTransportError`."""
    if isinstance(exc, requests.Timeout):
        return f"no answer in time ({type(exc).__name__})"
    cause = _cause(exc)
    if isinstance(cause, ssl.SSLCertVerificationError):
        return (
            f"TLS failed: certificate verify failed: {cause.verify_message}; a CA of your own "
            "(a TLS-inspecting proxy's) can be named with REQUESTS_CA_BUNDLE"
        )
    detail = re.sub(r"\s*\(_ssl\.c:\d+\)", "", str(cause).rsplit(": ", 1)[-1])
    if isinstance(exc, SSLError):
        return f"TLS failed: {detail}"
    if isinstance(exc, ProxyError):
        return f"the proxy failed: {detail}"
    if isinstance(exc, requests.ConnectionError):
        return f"connection failed: {detail}"
    return f"request failed ({type(exc).__name__})"
