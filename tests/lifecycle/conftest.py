"""Lifecycle fixtures: the real Pulumi CLI, a local file backend and the sandbox on loopback.

The CLI is taken from ``NODE_PULUMI_CLI_DIR`` (set by ``scripts/setup.sh`` from
``tools/pulumi-cli.sh``, which puts Pulumi's Python, Node.js, Go and YAML hosts beside it) or
from ``PATH``; TypeScript needs Node.js with npm, Go needs Go
(test_languages.py). Without them these tests skip, except when ``NODE_PULUMI_REQUIRE_CLI=1``
(CI), where they fail. Every stack gets a PATH without `pulumi-resource-node`
(stack.engine_path): a stack that uses the plugin installs it into its own plugin cache.

The `sandbox` (and `held_sandbox`) of every lifecycle test reads the API strictly
(``strict_client_ip``: get_snapshot_detail requires ``client_ip_address``, as the newer published
page says; `pytest_collection_modifyitems` below), and `configure_for` sets
``node:clientIpAddress`` (`CLIENT_IP`) on every stack, unless a test is about its absence: so
every path that reads a snapshot is proven to send the address when it is configured.

The tests run in parallel under pytest-xdist (``-n``; `.ci/run`): each stack has its own
directory, file backend and PULUMI_HOME (stack.py), each test its own sandbox on a port of its
own. A session fixture that builds something outside ``tmp_path`` (in the tree, in a shared
cache) makes it under `shared_lock`; a test that competes for the CPU is marked `serial`
(docs/development/tests.md).

A test taking the `door` fixture (or `door_stack`, `bare_door_stack`) runs once per front door:
the dynamic resources and the plugin (door.py). `stack` and `native_stack` are for what only
one door has.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from filelock import FileLock

from node_pulumi.sandbox import Sandbox

from ..conftest import API_KEY, USER_ID
from .door import DOORS, DYNAMIC, PLUGIN, Door
from .stack import Stack, new_stack

EXAMPLES = Path(__file__).parents[2] / "examples"
CLIENT_IP = "127.0.0.1"
"""The node:clientIpAddress `configure_for` sets: the loopback address the tests "download" from."""


def _cli_dir() -> Path | None:
    configured = os.environ.get("NODE_PULUMI_CLI_DIR")
    if configured and (Path(configured) / "pulumi").exists():
        return Path(configured)
    found = shutil.which("pulumi")
    return Path(found).parent if found else None


def missing(message: str) -> None:
    if os.environ.get("NODE_PULUMI_REQUIRE_CLI") == "1":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def cli_dir() -> Path:
    found = _cli_dir()
    if found is None:
        missing(
            "no Pulumi CLI: install one, or run `bash tools/pulumi-cli.sh` and set "
            "NODE_PULUMI_CLI_DIR to the directory it prints"
        )
    assert found is not None
    return found


@pytest.fixture(scope="session")
def yaml_host(cli_dir: Path) -> Path:
    """Pulumi YAML's language host, where the engine looks for it: beside `pulumi` or on PATH."""
    beside = cli_dir / "pulumi-language-yaml"
    found = str(beside) if beside.exists() else shutil.which("pulumi-language-yaml")
    if found is None:
        missing(
            "no Pulumi YAML language host (pulumi-language-yaml) beside pulumi or on PATH: "
            "`bash tools/pulumi-cli.sh` puts it beside the CLI it prints"
        )
    assert found is not None
    return Path(found)


@pytest.fixture(scope="session")
def shared_lock(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], FileLock]:
    """A lock by name, held by one xdist worker of this run at a time (by this process alone
    without xdist), as pytest-xdist's docs recommend: a session fixture that installs or builds
    what every worker uses (node_modules in the tree, a build in a cache) does it under
    ``shared_lock(name)``, checking first whether another worker did it already."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base

    def lock(name: str) -> FileLock:
        return FileLock(shared / f"{name}.lock")

    return lock


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every lifecycle test's sandbox reads the API strictly (a test's own `sandbox` marker can
    still say otherwise): get_snapshot_detail without ``client_ip_address`` fails."""
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.sandbox(strict_client_ip=True))


@pytest.fixture
def make_stack(cli_dir: Path, tmp_path: Path) -> Callable[[Path, str], Stack]:
    """Make a stack `dev`, with no node.co.id settings, of a copy of the program in a directory."""
    count = 0

    def make(program: Path, project: str) -> Stack:
        nonlocal count
        count += 1
        return new_stack(cli_dir, tmp_path / f"{project}-{count}", program, project)

    return make


@pytest.fixture(params=sorted(DOORS))
def door(request: pytest.FixtureRequest) -> Door:
    """Each front door in turn: a test taking this fixture runs once per door (door.py)."""
    return DOORS[request.param]


@pytest.fixture
def bare_door_stack(door: Door, make_stack: Callable[[Path, str], Stack]) -> Stack:
    """A new stack of the door's one-Snapshot program, with no node.co.id settings at all."""
    return door.new_stack(make_stack(door.program, f"{door}"))


@pytest.fixture
def door_stack(bare_door_stack: Stack, sandbox: Sandbox) -> Stack:
    """A stack of the door's one-Snapshot program configured for the sandbox."""
    return configure_for(bare_door_stack, sandbox)


@pytest.fixture
def bare_stack(make_stack: Callable[[Path, str], Stack]) -> Stack:
    """A new stack of the dynamic door's test program with no node.co.id settings at all."""
    return make_stack(DYNAMIC.program, "lifecycle")


def configure_for(
    stack: Stack, sandbox: Sandbox | str, *, client_ip: str | None = CLIENT_IP, **settings: str
) -> Stack:
    """Point a stack at the sandbox (or an endpoint), with the API key as a secret and
    node:clientIpAddress ``client_ip`` (None: unset), and set ``settings`` (more config keys)
    too, in one CLI run."""
    endpoint = sandbox if isinstance(sandbox, str) else sandbox.url
    address = {} if client_ip is None else {"node:clientIpAddress": client_ip}
    plain = {"node:userId": USER_ID, "node:endpoint": endpoint, **address, **settings}
    args = [f"--plaintext={key}={value}" for key, value in plain.items()]
    stack.run("config", "set-all", *args, f"--secret=node:apiKey={API_KEY}")
    return stack


@pytest.fixture
def stack(bare_stack: Stack, sandbox: Sandbox) -> Stack:
    """A stack of the dynamic door's test program configured for the sandbox."""
    return configure_for(bare_stack, sandbox)


@pytest.fixture
def bare_native_stack(make_stack: Callable[[Path, str], Stack]) -> Stack:
    """A new stack of the plugin test program (`node_pulumi.native`), with no node settings.

    `pulumi-resource-node` is installed into the stack's plugin cache (Stack.install_plugin).
    """
    return PLUGIN.new_stack(make_stack(PLUGIN.program, "plugin"))


@pytest.fixture
def native_stack(bare_native_stack: Stack, sandbox: Sandbox) -> Stack:
    """A stack of the plugin test program configured for the sandbox."""
    return configure_for(bare_native_stack, sandbox)


@pytest.fixture
def bare_yaml_stack(yaml_host: Path, cli_dir: Path, tmp_path: Path) -> Stack:
    """A new stack of examples/yaml (a Pulumi YAML program), with no node settings.

    The engine runs pulumi-language-yaml for the program, and `pulumi-resource-node` from the
    plugin cache (Stack.install_plugin), whose schema the YAML host reads.
    """
    stack = new_stack(cli_dir, tmp_path / "yaml", EXAMPLES / "yaml", "yaml", yaml=True)
    if yaml_host.parent != cli_dir:
        stack.env["PATH"] = os.pathsep.join([stack.env["PATH"], str(yaml_host.parent)])
    return stack.install_plugin()


@pytest.fixture
def yaml_stack(bare_yaml_stack: Stack, sandbox: Sandbox) -> Stack:
    """A stack of examples/yaml configured for the sandbox."""
    return configure_for(bare_yaml_stack, sandbox)
