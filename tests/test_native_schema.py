"""`node_pulumi.native` is written by hand (see docs/development/sdks.md), not generated from
the schema like sdk/: these tests keep its property names and requirements equal to the schema's,
so the Python classes cannot drift from what the plugin and the generated SDKs declare."""

from __future__ import annotations

import inspect
from typing import Any

import pulumi
import pulumi._types as pulumi_types
import pytest

from node_pulumi import native
from node_pulumi._plugin.schema import ROTATING, SCHEDULE, SNAPSHOT, schema
from node_pulumi._plugin.values import to_snake

SPEC = schema("0.0.0")


def output_names(resource: type[pulumi.CustomResource]) -> set[str]:
    """The wire names of a resource class's output properties (`pulumi.property(...)`)."""
    return {
        value.name
        for cls in resource.__mro__
        for value in vars(cls).values()
        if isinstance(value, pulumi_types._Property)
    }


def input_names(args: type[Any]) -> set[str]:
    """The wire names of an input type's properties (`pulumi.input_type`)."""
    return set(pulumi_types.input_type_py_to_pulumi_names(args).values())


@pytest.mark.parametrize(
    ("token", "resource", "args"),
    [
        (SNAPSHOT, native.Snapshot, native._SnapshotArgs),
        (ROTATING, native.RotatingSnapshot, native._RotatingSnapshotArgs),
        (SCHEDULE, native.SnapshotSchedule, native._ScheduleArgs),
    ],
)
def test_each_resource_has_the_schemas_inputs_and_outputs(
    token: str, resource: type[pulumi.CustomResource], args: type[Any]
) -> None:
    spec = SPEC["resources"][token]
    assert input_names(args) == set(spec["inputProperties"])
    assert output_names(resource) == set(spec["properties"])
    parameters = [
        p
        for p in inspect.signature(resource.__init__).parameters.values()
        if p.name not in {"self", "resource_name", "opts"}
    ]
    assert {p.name for p in parameters} == {to_snake(n) for n in spec["inputProperties"]}
    required = {p.name for p in parameters if p.default is inspect.Parameter.empty}
    assert required == {to_snake(n) for n in spec["requiredInputs"]}


def test_the_provider_takes_the_schemas_settings() -> None:
    settings = SPEC["provider"]["inputProperties"]
    assert input_names(native._ProviderArgs) == set(settings)
    parameters = inspect.signature(native.Provider.__init__).parameters
    assert set(parameters) - {"self", "resource_name", "opts"} == {to_snake(n) for n in settings}


def test_get_snapshots_takes_the_functions_inputs() -> None:
    inputs = SPEC["functions"]["node:index:getSnapshots"]["inputs"]["properties"]
    parameters = inspect.signature(native.get_snapshots).parameters
    assert set(parameters) - {"opts"} == {to_snake(n) for n in inputs}
