"""What every node_pulumi dynamic provider shares: credentials from `configure`, never pickled."""

from __future__ import annotations

from typing import Any

from pulumi.dynamic import ConfigureRequest, ResourceProvider

from ._settings import ConfigLookup, Settings, resolve_settings


class NodeProvider(ResourceProvider):
    """Base provider: settings come from the stack config given to `configure`, or the environment.

    The instance is pickled into state when a resource is declared. The stack config (which holds
    the API key) only arrives later, in the provider process, and is left out of the pickled state
    by `__getstate__`, so a configured provider pickles to the same few bytes as a fresh one.
    """

    _config: ConfigLookup | None = None

    def configure(self, req: ConfigureRequest) -> None:
        self._config = req.config.get

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_config", None)
        return state

    def settings(self) -> Settings:
        """Resolve the settings now: stack config, then environment, then defaults."""
        return resolve_settings(self._config)
