"""Children that a test signals, started with SIGINT at its default whatever the suite inherited.

A process started with SIGINT ignored (`nohup`, `trap '' INT`, some CI runners) passes that on to
its children: an ignored signal stays ignored across fork and exec, so a child Python never
installs its KeyboardInterrupt handler and a test's Ctrl-C is lost. A test that sends a child
SIGINT starts it through `interruptible`, which gives the child SIGINT's default disposition
before it runs, as a terminal's shell would (a tiny exec wrapper: ``preexec_fn`` is unsafe with
the sandbox's threads running, and ``process_group`` alone keeps the inherited disposition).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

_RESTORE_SIGINT = (
    "import os, signal, sys; "
    "signal.signal(signal.SIGINT, signal.SIG_DFL); "
    "os.execvp(sys.argv[1], sys.argv[1:])"
)


def interruptible(command: Sequence[str]) -> list[str]:
    """``command`` run with SIGINT at its default: the same process (its pid, its process group)
    once the wrapper has exec'd it."""
    return [sys.executable, "-c", _RESTORE_SIGINT, *command]
