"""The per-resource handler base of the plugin: the shape every resource type has (in snake_case
names) and the detailed diff they share."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from .call import Call


@dataclass(frozen=True)
class Change:
    """How one input changed: added, deleted or updated, and whether that forces a replacement."""

    kind: Literal["add", "delete", "update"]
    replace: bool


@dataclass
class Checked:
    """`Check`'s answer: the inputs to use and, per property, why they are refused."""

    inputs: dict[str, Any]
    failures: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Read:
    """`Read`'s answer for an object that exists: its id, outputs and inputs."""

    resource_id: str
    outputs: dict[str, Any]
    inputs: dict[str, Any]


class ResourceHandler(ABC):
    """Handles one resource type of the plugin: each RPC translates to the shared core."""

    token: str
    names: tuple[str, ...]
    """Every property name (snake_case), for check messages written in the schema's names."""

    @abstractmethod
    def check(self, news: dict[str, Any]) -> Checked:
        """The inputs to use and what is wrong with them; no API call, unknowns pass."""

    @abstractmethod
    def diff(
        self, olds: Mapping[str, Any], news: Mapping[str, Any], outputs: Mapping[str, Any]
    ) -> dict[str, Change]:
        """Which inputs changed (``olds``: the old inputs), and whether each forces a
        replacement; ``outputs`` are the old outputs. No API call."""

    @abstractmethod
    async def create(self, call: Call, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """Create the object; return its id and outputs (`InitFailed` once it exists)."""

    @abstractmethod
    async def read(
        self, call: Call, resource_id: str, outputs: dict[str, Any], inputs: dict[str, Any]
    ) -> Read | None:
        """The object as it is now (refresh, get, import); None when it is gone."""

    @abstractmethod
    async def update(
        self, call: Call, resource_id: str, olds: dict[str, Any], news: dict[str, Any]
    ) -> dict[str, Any]:
        """Change the object in place; return its outputs (`InitFailed` as for create)."""

    @abstractmethod
    async def delete(self, call: Call, resource_id: str, outputs: dict[str, Any]) -> None:
        """Delete the object; one already gone counts as deleted."""


def changes(
    olds: Mapping[str, Any],
    news: Mapping[str, Any],
    replaces: Collection[str],
    updates: Collection[str],
) -> dict[str, Change]:
    """The detailed diff of the inputs the shared core found changed: ``replaces`` force a
    replacement, ``updates`` change in place."""
    found: dict[str, Change] = {}
    for key in (*replaces, *updates):
        kind: Literal["add", "delete", "update"] = (
            "add" if olds.get(key) is None else "delete" if news.get(key) is None else "update"
        )
        found[key] = Change(kind, key in replaces)
    return found
