"""Every API function the sandbox serves, by name, gathered from one module per family.

A family is a group of functions over one kind of object: snapshots (`_snapshots`), schedules
(`_schedules`), servers (`_servers`); a new family adds its module's ``FUNCTIONS`` here.
"""

from __future__ import annotations

from collections.abc import Mapping

from . import _schedules, _servers, _snapshots
from ._account import Function

FUNCTIONS: Mapping[str, Function] = {
    **_snapshots.FUNCTIONS,
    **_schedules.FUNCTIONS,
    **_servers.FUNCTIONS,
}
