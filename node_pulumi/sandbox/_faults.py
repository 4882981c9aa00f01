"""Fault switches: how the sandbox misbehaves on chosen calls, to test a client's handling."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from ._functions import FUNCTIONS

MAX_LATENCY = 60.0
"""Upper bound of a latency fault, so a forgotten fault cannot hang a test run."""


@dataclass(frozen=True)
class Fault:
    """How to misbehave on calls of ``function`` (a function name, or ``"*"`` for all of them).

    ``latency`` seconds pass before the answer. ``error`` (code, message) answers that envelope;
    ``http_status`` answers that status (with the ``error`` envelope, ``body`` or an empty body);
    ``body`` answers those raw bytes. A fault with any of those three fails the call without
    performing it, unless ``after`` is set: then the operation is performed first and only its
    answer is replaced or delayed (a response lost after the server acted). A latency-only fault
    performs the call normally after the delay (before it, with ``after``). ``content_type``
    labels a ``body`` (default: the API's own), so that the answer of a proxy's HTML page can be
    played.
    """

    function: str
    latency: float = 0.0
    error: tuple[str, str] | None = None
    http_status: int | None = None
    body: bytes | None = None
    after: bool = False
    content_type: str | None = None

    def __post_init__(self) -> None:
        if self.function != "*" and self.function not in FUNCTIONS:
            raise ValueError(f"unknown function {self.function!r}")
        if not 0.0 <= self.latency <= MAX_LATENCY:
            raise ValueError(f"latency must be within 0..{MAX_LATENCY} seconds")
        if self.http_status is not None and not 100 <= self.http_status <= 599:
            raise ValueError("http_status must be within 100..599")
        if self.error is not None and (
            len(self.error) != 2 or not all(isinstance(part, str) for part in self.error)
        ):
            raise ValueError("error must be a (code, message) pair of strings")
        if self.body is not None and not isinstance(self.body, bytes):
            raise ValueError("body must be bytes")
        if self.content_type is not None and (
            self.body is None or not isinstance(self.content_type, str)
        ):
            raise ValueError("content_type must be a string, and goes with a body")

    @property
    def fails(self) -> bool:
        """Whether the fault replaces the answer (rather than only delaying it)."""
        return self.error is not None or self.http_status is not None or self.body is not None


class _Slot:
    def __init__(self, fault: Fault, remaining: int | None) -> None:
        self.fault = fault
        self.remaining = remaining


class Faults:
    """The faults in force, at most one per function (and one for ``"*"``); thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._slots: dict[str, _Slot] = {}

    def set(self, fault: Fault, times: int | None) -> None:
        """Apply ``fault`` to the next ``times`` calls (None: until cleared), replacing any."""
        if times is not None and (isinstance(times, bool) or not isinstance(times, int)):
            raise TypeError("times must be a whole number (or None for until cleared)")
        if times is not None and times < 1:
            raise ValueError("times must be at least 1 (or None for until cleared)")
        with self._lock:
            self._slots[fault.function] = _Slot(fault, times)

    def clear(self) -> None:
        """Remove every fault."""
        with self._lock:
            self._slots.clear()

    def take(self, function: str) -> Fault | None:
        """The fault for one call of ``function`` (its own wins over ``"*"``), counted down."""
        with self._lock:
            key = function if function in self._slots else "*"
            slot = self._slots.get(key)
            if slot is None:
                return None
            if slot.remaining is not None:
                slot.remaining -= 1
                if slot.remaining == 0:
                    del self._slots[key]
            return slot.fault
