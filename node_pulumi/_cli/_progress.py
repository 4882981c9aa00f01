"""How the command shows a restore while it runs, on standard error.

On a terminal, one live status line (redrawn every second, so the elapsed time moves between
polls that grow up to a minute apart) below the permanent lines. Anywhere else (CI logs), plain
lines, each stamped with the UTC time, one per event.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timezone
from typing import TextIO

from .._core.restore_events import RestoreEvent

REDRAW_SECONDS = 1.0


def duration(seconds: float) -> str:
    """``4s``, ``2m05s``, ``1h02m``: short, for status lines."""
    whole = int(seconds)
    if whole < 60:
        return f"{whole}s"
    if whole < 3600:
        return f"{whole // 60}m{whole % 60:02d}s"
    return f"{whole // 3600}h{whole % 3600 // 60:02d}m"


def counted(count: int, noun: str) -> str:
    """``1 poll``, ``2 polls``: a count with its noun (a regular plural)."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


class Progress:
    """The restore's `on_event` callback and the command's own lines, on ``stream``."""

    def __init__(self, stream: TextIO, *, live: bool) -> None:
        self._stream = stream
        self._live = live
        self._lock = threading.Lock()
        self._line: str | None = None  # the live line shown now
        self._server_id = ""
        self._status: str | None = None
        self._polls = 0
        self._since = 0.0
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None
        self.started = False
        """Whether reinstall_server was accepted (a ``started`` event came)."""

    @property
    def status(self) -> str | None:
        """The server's last status reported."""
        return self._status

    def say(self, text: str) -> None:
        """A permanent line (above the live line on a terminal; timestamped otherwise)."""
        with self._lock:
            if self._live:
                self._clear()
                self._stream.write(text + "\n")
                if self._line is not None:
                    self._stream.write(self._line)
            else:
                stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
                self._stream.write(f"{stamp} {text}\n")
            self._stream.flush()

    def __call__(self, event: RestoreEvent) -> None:
        if event.kind == "started":
            self.started = True
            self._server_id, self._status = event.server_id, event.status
            self._since = time.monotonic()
            self.say(event.message)
            if self._live:
                self._ticker = threading.Thread(target=self._tick, daemon=True)
                self._ticker.start()
                self._redraw()
        elif event.kind == "status":
            self._status, self._polls = event.status, event.polls
            if self._live:
                self._redraw()
            else:
                self.say(f"{event.message} (poll {event.polls}, {duration(event.elapsed)})")
        else:
            self.say(event.message)

    def close(self) -> None:
        """Stop the live line, and end it with a newline so the next output starts clean."""
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
        with self._lock:
            if self._line is not None:
                self._stream.write("\n")
                self._line = None
            self._stream.flush()

    def _tick(self) -> None:
        while not self._stop.wait(REDRAW_SECONDS):
            self._redraw()

    def _redraw(self) -> None:
        with self._lock:
            if self._stop.is_set():
                return
            elapsed = duration(time.monotonic() - self._since)
            self._clear()
            self._line = (
                f"server {self._server_id}: {self._status or 'unknown'} "
                f"({elapsed} since the reinstall started, {counted(self._polls, 'poll')})"
            )
            self._stream.write(self._line)
            self._stream.flush()

    def _clear(self) -> None:
        if self._line is not None:
            self._stream.write("\r\x1b[K")
