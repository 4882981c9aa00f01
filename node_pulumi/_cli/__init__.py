"""The ``node-pulumi`` command: operations on node.co.id servers beside a Pulumi stack.

``node-pulumi restore SERVER_ID (SNAPSHOT_ID | --latest | --from-output NAME)``,
``node-pulumi snapshots``, ``node-pulumi doctor`` (is the setup right?) and ``node-pulumi check``
(monitoring, with exit statuses of its own: `_check`); ``node-pulumi --help`` for the options.
Every failure is one line on standard error and an exit status of its own (`_status`). Nothing
it prints holds a credential: the API key is never shown, stack configuration is parsed but
never echoed, and the root password the API sends with a server's details is dropped by the
client while decoding.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType

from .._api.errors import NodeApiError, NodeConfigError, NodeError, NodeNotTheApiError
from .._core.restore_errors import (
    RestoreCancelledError,
    RestoreRefusedError,
    RestoreTimeoutError,
    RestoreUncertainError,
)
from . import _check, _doctor, _restore, _snapshots, _status
from ._args import parse
from ._stack import StackError

COMMANDS: dict[str, Callable[..., int]] = {
    "doctor": _doctor.run,
    "restore": _restore.run,
    "snapshots": _snapshots.run,
    "check": _check.run,
}


def exit_status(error: NodeError) -> int:
    """The exit status for an error (see `_status`)."""
    if isinstance(error, RestoreRefusedError):
        return _status.REFUSED
    if isinstance(error, NodeApiError) and error.is_credentials_error:
        return _status.CREDENTIALS
    if isinstance(error, NodeNotTheApiError) and error.refuses_access:
        return _status.CREDENTIALS
    if isinstance(error, RestoreTimeoutError):
        return _status.TIMEOUT
    if isinstance(error, _restore.NotConfirmedError):
        return _status.NOT_CONFIRMED
    if isinstance(error, RestoreUncertainError | _restore.InterruptedSendError):
        return _status.UNCERTAIN
    if isinstance(error, RestoreCancelledError):
        return _status.INTERRUPTED
    if isinstance(error, NodeConfigError | StackError):
        return _status.USAGE
    return _status.FAILED


def main(argv: list[str] | None = None) -> int:
    """Run the command line ``argv``; return the exit status."""
    args = parse(argv)
    if threading.current_thread() is threading.main_thread():
        # A cancelled CI job: as Ctrl-C. SIGINT keeps the disposition the command was started
        # with: ignored by its parent, it stays ignored (docs/guides/restore.md says why).
        signal.signal(signal.SIGTERM, _interrupt)
    try:
        return COMMANDS[args.command](args)
    except NodeError as error:
        print(f"node-pulumi: {error}", file=sys.stderr, flush=True)
        return exit_status(error)
    except KeyboardInterrupt:
        print("node-pulumi: interrupted; nothing was changed", file=sys.stderr, flush=True)
        return _status.INTERRUPTED


def run() -> None:
    """The console script's entry point."""
    sys.exit(main())


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt
