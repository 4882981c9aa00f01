"""The sandbox's clock for tests: it stands still until the test moves it.

Whatever depends on time in the sandbox (a snapshot turning ``active``) then happens exactly when
the test says, with no sleeping and no race against the machine's speed.
"""

from __future__ import annotations

import time


class StillClock:
    """A clock for `Sandbox(clock=...)`: ``now`` changes only when the test sets or moves it."""

    def __init__(self, now: float | None = None) -> None:
        self.now = time.time() if now is None else now

    def __call__(self) -> float:
        return self.now
