"""The package's layers, read from its imports: the API client and the core know nothing of
Pulumi's SDK nor of either door's protocol, and neither reaches up into the layers built on
them. What the processes load at run time is in test_startup.py."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[1] / "node_pulumi"


def imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports, relative imports resolved to absolute names."""
    package = list(path.relative_to(PACKAGE.parent).parent.parts)  # __init__.py's too
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def _under(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(f"{p}.") for p in prefixes)


def _violations(layer: str, refused: tuple[str, ...]) -> list[str]:
    files = sorted((PACKAGE / layer).rglob("*.py"))
    assert files, f"no modules under node_pulumi/{layer}"
    return [
        f"{path.relative_to(PACKAGE.parent)} imports {module}"
        for path in files
        for module in sorted(imported_modules(path))
        if _under(module, refused)
    ]


DOORS = (
    "node_pulumi._dynamic",
    "node_pulumi._plugin",
    "node_pulumi._program",
    "node_pulumi.native",
)


@pytest.mark.parametrize(
    ("layer", "refused"),
    [
        ("_api", ("pulumi", "grpc", "google", "node_pulumi._core", *DOORS)),
        # No Pulumi SDK at all: the command runs the core without loading it (test_startup.py).
        ("_core", ("pulumi", "grpc", "google", *DOORS)),
        # The command reads stacks through the pulumi CLI, never the SDK.
        ("_cli", ("pulumi", "grpc", "google", *DOORS)),
    ],
)
def test_a_layer_imports_nothing_from_the_layers_above_it(
    layer: str, refused: tuple[str, ...]
) -> None:
    assert _violations(layer, refused) == []


def test_the_doors_do_not_import_each_other() -> None:
    assert _violations("_dynamic", ("node_pulumi._plugin", "node_pulumi.native")) == []
    assert _violations("_plugin", ("node_pulumi._dynamic", "node_pulumi.native")) == []


def test_within_the_core_the_operations_stand_on_their_parts() -> None:
    """The drivers, the rotation and the restore use the snapshot look-ups, the outputs, the
    listing and the wait rule; none of those reaches back up."""
    above = ("node_pulumi._core.drivers", "node_pulumi._core.rotation", "node_pulumi._core.restore")
    for part in ("snapshots", "outputs", "listing", "waiting", "inputs", "settings", "gone"):
        path = PACKAGE / "_core" / f"{part}.py"
        assert [m for m in imported_modules(path) if _under(m, above)] == [], part


def test_the_check_sees_relative_imports() -> None:
    """The check itself: a relative import into a refused layer is found."""
    module = PACKAGE / "_core" / "settings.py"
    assert "node_pulumi._api.transport.NodeClient" in imported_modules(module)
