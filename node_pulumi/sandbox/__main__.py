"""Run the sandbox as a process: ``python -m node_pulumi.sandbox --port 8765 --user-id U ...``.

Prints one line, ``node.co.id sandbox listening on http://HOST:PORT/api/v1/``, once it accepts
connections (with the real port when ``--port 0``), logs one line per call to stderr, and stops
cleanly on SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from types import FrameType

from ._params import DEFAULT_SERVERS
from ._server import CONNECTION_TIMEOUT, Sandbox

API_KEY_ENV = "NODE_SANDBOX_API_KEY"


def _server_ids(text: str) -> tuple[str, ...]:
    """``--servers``: comma-separated ids, at least one, none empty."""
    ids = tuple(part.strip() for part in text.split(","))
    if not all(ids):
        raise argparse.ArgumentTypeError("a comma-separated list of non-empty server ids")
    return ids


def _count(text: str) -> int:
    """``--seed-servers``, ``--seed-snapshots``: a whole number from 0 up."""
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"a whole number from 0 up, not {text!r}")
    return int(text)


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m node_pulumi.sandbox",
        description="A local emulator of the node.co.id API's snapshot and server functions.",
    )
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (the admin API under /_sandbox/ answers loopback only)",
    )
    parser.add_argument("--user-id", required=True, help="the user_id calls must send")
    parser.add_argument(
        "--api-key",
        default=os.environ.get(API_KEY_ENV),
        help=f"the API key checksums are made with (default: ${API_KEY_ENV})",
    )
    parser.add_argument("--db", default=":memory:", help="SQLite file to keep data in")
    parser.add_argument(
        "--processing-seconds",
        type=float,
        default=2.0,
        help="seconds a new snapshot stays 'processing'",
    )
    parser.add_argument(
        "--reinstall-seconds",
        type=float,
        default=5.0,
        help="seconds a server stays 'reinstall' after reinstall_server",
    )
    parser.add_argument(
        "--servers",
        type=_server_ids,
        default=DEFAULT_SERVERS,
        help="comma-separated server ids the account has; others are SERVER_NOT_FOUND"
        f" (default: {','.join(DEFAULT_SERVERS)})",
    )
    parser.add_argument(
        "--seed-servers",
        type=_count,
        default=0,
        metavar="N",
        help="add N servers in every status (ids from 100001 on) to the account",
    )
    parser.add_argument(
        "--seed-snapshots",
        type=_count,
        default=0,
        metavar="M",
        help="add M snapshots of realistic ages, spread over the seeded servers",
    )
    parser.add_argument(
        "--connection-timeout",
        type=float,
        default=CONNECTION_TIMEOUT,
        help="seconds a connection may stay silent before it is dropped",
    )
    args = parser.parse_args(argv)
    if not args.connection_timeout > 0:
        parser.error("--connection-timeout must be positive")
    if not args.reinstall_seconds >= 0:
        parser.error("--reinstall-seconds must not be negative")
    if args.seed_snapshots and not args.seed_servers:
        parser.error("--seed-snapshots needs --seed-servers")
    if not args.api_key:
        parser.error(f"--api-key or ${API_KEY_ENV} is required")
    return args


def main(argv: list[str] | None = None) -> int:
    """Serve until SIGTERM/SIGINT; return the exit status."""
    args = _parse_args(argv)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    sandbox = Sandbox(
        args.user_id,
        args.api_key,
        host=args.host,
        port=args.port,
        db=args.db,
        processing_seconds=args.processing_seconds,
        reinstall_seconds=args.reinstall_seconds,
        log=sys.stderr,
        servers=args.servers,
        connection_timeout=args.connection_timeout,
    )
    try:
        sandbox.start()
    except OSError as error:
        print(f"cannot listen on {args.host}:{args.port}: {error}", file=sys.stderr)
        return 1
    if args.seed_servers:
        sandbox.seed(args.seed_servers, args.seed_snapshots)
    print(f"node.co.id sandbox listening on {sandbox.url}", flush=True)
    stop.wait()
    sandbox.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
