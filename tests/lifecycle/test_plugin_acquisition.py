"""How a user of each language gets the plugin, through the real CLI and Pulumi's real hosts, with
the example of every language (languages.py): no plugin installed by hand.

- **The automatic download.** Each SDK (TypeScript's package.json, Go's pulumi-plugin.json), the
  wheel (`node_pulumi/pulumi-plugin.json`, for `node_pulumi.native`) and YAML's package
  declaration (examples/yaml/sdks/node/) name the plugin, its version and its
  `pluginDownloadURL` (the repository's GitHub releases). With an empty PULUMI_HOME, the first
  `preview` downloads `pulumi-resource-node-v<version>-linux-amd64.tar.gz`, and Pulumi's Python
  host makes its virtualenv; no warning. Here the release is served from loopback
  (PULUMI_PLUGIN_DOWNLOAD_URL_OVERRIDES) and pip installs from a wheelhouse (release.py).
- **`pulumi package add ./provider`** in a fresh program of each language: the engine makes the
  folder's virtualenv, writes `packages:` into Pulumi.yaml and the language's SDK, and runs the
  plugin from the folder.
- **Bad input**: a tarball whose checksum does not match is refused; a download server that
  cannot be reached fails the preview naming the URL and the manual install; a machine without
  Python 3.10 or later says so.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml
from filelock import FileLock

from node_pulumi import __version__
from node_pulumi.sandbox import Sandbox
from scripts.releasing import plugin
from scripts.releasing.cli_install import serve
from scripts.releasing.plugin import sha256

from .conftest import configure_for, missing
from .languages import EXAMPLES_BY_LANGUAGE, ROOT, Example
from .release import build_wheel, build_wheelhouse, offline_pip
from .stack import NATIVE_SNAPSHOT_TYPE, Stack

TARBALL = f"pulumi-resource-node-v{__version__}-linux-amd64.tar.gz"
PLUGIN_DIR = f"resource-node-v{__version__}"


@pytest.fixture(scope="session")
def release_dir(
    tmp_path_factory: pytest.TempPathFactory, shared_lock: Callable[[str], FileLock]
) -> Path:
    """The wheel, the six plugin tarballs and the checksums file, as a release publishes them
    (scripts/releasing/plugin.py, which scripts/release.py runs). The wheel is built in the
    checkout's build/ folder: one xdist worker at a time, or two builds clash there."""
    out = tmp_path_factory.mktemp("release")
    with shared_lock("build-wheel"):
        wheel = build_wheel(out)
    tarballs = plugin.build_plugin_tarballs(wheel, out)
    plugin.write_checksums(tarballs, out / plugin.checksums_name(__version__))
    return out


@pytest.fixture(scope="session")
def wheelhouse(release_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    (wheel,) = release_dir.glob("node_pulumi-*.whl")
    return build_wheelhouse(wheel, tmp_path_factory.mktemp("wheelhouse"))


@pytest.fixture(scope="session")
def plugin_server(release_dir: Path) -> Iterator[tuple[str, list[str]]]:
    """The release served over loopback, as GitHub releases serve it."""
    with serve(release_dir) as served:
        yield served


@pytest.fixture(scope="session")
def wheel_venv(
    release_dir: Path, wheelhouse: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """A virtualenv with the wheel installed, as a `node_pulumi.native` user has."""
    venv = tmp_path_factory.mktemp("wheel-venv")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    (wheel,) = release_dir.glob("node_pulumi-*.whl")
    subprocess.run(
        [
            str(venv / "bin" / "pip"),
            "install",
            "--quiet",
            "--no-index",
            "--find-links",
            str(wheelhouse),
            str(wheel),
        ],
        check=True,
    )
    return venv


@pytest.fixture(params=sorted(EXAMPLES_BY_LANGUAGE))
def example(request: pytest.FixtureRequest) -> Example:
    return EXAMPLES_BY_LANGUAGE[str(request.param)]


def downloading(stack: Stack, url: str, wheelhouse: Path) -> Stack:
    """Let the engine download plugins (the lifecycle stacks are told not to), from ``url``
    whatever URL the program names, and pip install from the wheelhouse only."""
    stack.env.pop("PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION", None)
    stack.env |= {"PULUMI_PLUGIN_DOWNLOAD_URL_OVERRIDES": f".*={url}"} | offline_pip(wheelhouse)
    return stack


def quiet(output: str) -> str:
    assert "warning:" not in output.lower(), output
    assert "from $PATH" not in output, output
    return output


def test_an_empty_pulumi_home_gets_the_plugin_at_the_first_preview(
    example: Example,
    cli_dir: Path,
    tmp_path: Path,
    sandbox: Sandbox,
    plugin_server: tuple[str, list[str]],
    wheelhouse: Path,
    request: pytest.FixtureRequest,
) -> None:
    url, requests = plugin_server
    venv = request.getfixturevalue("wheel_venv") if example.language == "python" else None
    stack = example.stack(cli_dir, tmp_path, virtualenv=venv)
    home = Path(stack.env["PULUMI_HOME"])
    assert not (home / "plugins" / PLUGIN_DIR).exists()
    configure_for(
        downloading(stack, url, wheelhouse), sandbox, **{"node:clientIpAddress": "127.0.0.1"}
    )

    downloads = requests.count(f"/{TARBALL}")
    preview = quiet(stack.run("preview"))
    assert "+  node:index:Snapshot before-deploy create" in preview
    assert requests.count(f"/{TARBALL}") == downloads + 1, "this preview downloaded it"
    assert (home / "plugins" / PLUGIN_DIR / "venv").is_dir()
    assert sandbox.calls("create_snapshot") == []

    quiet(stack.up())
    (snapshot,) = sandbox.snapshots()
    assert stack.outputs()["snapshotId"] == snapshot["snapshot_id"]
    assert stack.snapshots(NATIVE_SNAPSHOT_TYPE)[0]["id"] == snapshot["snapshot_id"]
    quiet(stack.run("destroy", "--yes"))
    assert [s["snapshot_status"] for s in sandbox.snapshots()] == ["deleted"]
    assert requests.count(f"/{TARBALL}") == downloads + 1, "installed once"


def test_checksum_mismatch_is_refused(
    cli_dir: Path, tmp_path: Path, release_dir: Path, plugin_server: tuple[str, list[str]]
) -> None:
    """`pulumi plugin install --checksum` with the published checksum refuses a tarball that
    differs from the release's, and installs nothing."""
    lines = (release_dir / plugin.checksums_name(__version__)).read_text().splitlines()
    checksums = {name: digest for digest, name in (line.split() for line in lines)}
    assert checksums[TARBALL] == sha256(release_dir / TARBALL)
    tampered = tmp_path / "tampered"
    tampered.mkdir()
    (tampered / TARBALL).write_bytes((release_dir / TARBALL).read_bytes() + b"\0")
    stack = Stack(tmp_path, tmp_path, _plain_env(cli_dir, tmp_path / "home"))
    with serve(tampered) as (url, _):
        output = stack.run(
            "plugin", "install", "resource", "node", __version__,
            "--server", url, "--checksum", checksums[TARBALL], ok=False,
        )  # fmt: skip
    assert f"invalid checksum, expected {checksums[TARBALL]}" in output, output
    assert not (tmp_path / "home" / "plugins" / PLUGIN_DIR).exists()


def _plain_env(cli_dir: Path, home: Path) -> dict[str, str]:
    from .stack import engine_path

    env = {k: v for k, v in os.environ.items() if not k.startswith(("NODE_", "PULUMI_"))}
    return env | {"PATH": engine_path(cli_dir), "PULUMI_HOME": str(home)}


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then closed)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_unreachable_download_server_names_the_url_and_the_manual_install(
    cli_dir: Path, tmp_path: Path, wheelhouse: Path
) -> None:
    url = f"http://127.0.0.1:{closed_port()}/"
    stack = downloading(EXAMPLES_BY_LANGUAGE["yaml"].stack(cli_dir, tmp_path), url, wheelhouse)
    output = stack.run("preview", ok=False)
    assert f"{url}{TARBALL}" in output, output
    assert f"pulumi plugin install resource node v{__version__} --server" in output, output
    assert not (Path(stack.env["PULUMI_HOME"]) / "plugins" / PLUGIN_DIR).exists()


def old_python(directory: Path) -> Path:
    """``directory`` with a `python3` that is Python 3.9 (pyenv's; the machine has one)."""
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    found = sorted(root.glob("versions/3.9.*/bin/python3.9"))
    if not found:
        missing(f"no Python 3.9 under {root}/versions")
    directory.mkdir()
    (directory / "python3").symlink_to(found[-1])
    return directory


@pytest.mark.parametrize("python", ["missing", "3.9"])
def test_without_python_3_10_the_install_says_what_is_missing(
    python: str,
    cli_dir: Path,
    tmp_path: Path,
    plugin_server: tuple[str, list[str]],
    wheelhouse: Path,
) -> None:
    url, _ = plugin_server
    stack = downloading(EXAMPLES_BY_LANGUAGE["yaml"].stack(cli_dir, tmp_path), url, wheelhouse)
    path = [str(cli_dir)]
    if python == "3.9":
        path.append(str(old_python(tmp_path / "python")))
    output = stack.run("preview", ok=False, env={"PATH": os.pathsep.join(path)})
    if python == "missing":
        assert (
            'failed to locate any of ["python3" "python"] on your PATH. '
            "Have you installed Python 3.10 or greater?"
        ) in output, output
    else:
        assert "requires a different Python" in output and ">=3.10" in output, output
    assert not (Path(stack.env["PULUMI_HOME"]) / "plugins" / PLUGIN_DIR / "venv").exists()


def fresh_program(example: Example, workdir: Path, wheelhouse: Path) -> Path:
    """A new program of the example's language, as a user starts one: the example's code, and
    no SDK or plugin (Go: go.mod without the SDK; TypeScript: package.json without it; Python: a
    virtualenv with `pulumi` only; YAML: Pulumi.yaml alone)."""
    program = workdir / "program"
    program.mkdir(parents=True)
    source = example.program
    runtime = example.runtime
    if example.language == "yaml":
        shutil.copy(source / "Pulumi.yaml", program)
        return program
    if example.language == "python":
        shutil.copy(source / "__main__.py", program)
        (program / "requirements.txt").write_text("pulumi>=3.272,<4\n")
        venv = program / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(venv / "bin" / "pip"), "install", "--quiet", "pulumi"],
            env={**os.environ, **offline_pip(wheelhouse)},
            check=True,
        )
        runtime = "{name: python, options: {virtualenv: venv}}"
    if example.language == "go":
        shutil.copy(source / "main.go", program)
        shutil.copy(source / "go.sum", program)
        lines = (source / "go.mod").read_text().splitlines(keepends=True)
        sdk = "github.com/node-pulumi/node-pulumi/sdk/go"
        (program / "go.mod").write_text("".join(x for x in lines if sdk not in x))
    if example.language == "typescript":
        for name in ("index.ts", "tsconfig.json", "package-lock.json"):
            shutil.copy(source / name, program)
        manifest = json.loads((source / "package.json").read_text())
        del manifest["dependencies"]["@node-pulumi/node"]
        (program / "package.json").write_text(json.dumps(manifest, indent=4))
    (program / "Pulumi.yaml").write_text(f"name: {example.project}\nruntime: {runtime}\n")
    return program


def provider_copy(workdir: Path) -> Path:
    """The repository's provider/ folder, copied (each test gets its own venv/ in it), its
    requirement `-e ..` (this checkout) spelt as an absolute path."""
    folder = workdir / "provider"
    shutil.copytree(ROOT / "provider", folder, ignore=shutil.ignore_patterns("venv"))
    requirements = (folder / "requirements.txt").read_text()
    assert "\n-e ..\n" in f"\n{requirements}", requirements
    (folder / "requirements.txt").write_text(requirements.replace("-e ..", f"-e {ROOT}"))
    return folder


def test_package_add_of_the_provider_folder_then_up_and_destroy(
    example: Example, cli_dir: Path, tmp_path: Path, sandbox: Sandbox, wheelhouse: Path
) -> None:
    program = fresh_program(example, tmp_path, wheelhouse)
    stack = Stack(program, tmp_path, {})
    stack.env = (
        _plain_env(cli_dir, tmp_path / "home")
        | offline_pip(wheelhouse)
        | {
            "PULUMI_BACKEND_URL": f"file://{tmp_path}",
            "PULUMI_CONFIG_PASSPHRASE": "package-add",
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "GOFLAGS": "-mod=mod",
        }
    )
    provider = provider_copy(tmp_path)
    # Its output may carry pip's and setuptools' notices of the folder's editable install.
    stack.run("package", "add", str(provider))
    project = yaml.safe_load((program / "Pulumi.yaml").read_text())
    assert project["packages"] == {"node": str(provider)}
    assert (provider / "venv").is_dir()
    stack.run("stack", "init", "dev")
    configure_for(stack, sandbox, **{"node:clientIpAddress": "127.0.0.1"})

    quiet(stack.up())
    (snapshot,) = sandbox.snapshots()
    assert stack.outputs()["snapshotId"] == snapshot["snapshot_id"]
    assert not (tmp_path / "home" / "plugins" / PLUGIN_DIR).exists(), "run from the folder"
    quiet(stack.run("destroy", "--yes"))
    assert [s["snapshot_status"] for s in sandbox.snapshots()] == ["deleted"]
