"""What every node_pulumi dynamic provider shares: credentials from `configure`, never pickled,
and the core's check failures in the dynamic provider's terms."""

from __future__ import annotations

from typing import Any

from pulumi.dynamic import CheckFailure, CheckResult, ConfigureRequest, ResourceProvider

from .._core.inputs import Failure
from .._core.settings import ConfigLookup, Settings, resolve_settings


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


def check_result(inputs: dict[str, Any], failures: list[Failure]) -> CheckResult:
    """The dynamic provider's answer to ``check``: the inputs and the core's failures."""
    return CheckResult(inputs, [CheckFailure(f.property, f.reason) for f in failures])
