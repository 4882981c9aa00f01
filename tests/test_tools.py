"""The shell tools that find or build what the lifecycle tests need (tools/*.sh).

- tools/lib.sh's `cached_go_build`: concurrent callers build once, an unchanged build is reused
  as it is, a change of inputs rebuilds into a new file renamed into place, and a failed build
  leaves the last good program and fails;
- tools/pulumi-cli.sh: an installed `pulumi` with Pulumi's hosts beside it is used as it is;
  one without them is passed over, saying which are missing; on a machine with neither an
  installed Pulumi nor ../shared/pulumi-hosts it says what to install and fails, before building
  anything.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

TOOLS = Path(__file__).parents[1] / "tools"
BARE_PATH = "/usr/bin:/bin"  # no pulumi, no language host, no Go


def go_program(module: Path, says: str) -> None:
    module.mkdir(exist_ok=True)
    (module / "go.mod").write_text("module example.com/says\n\ngo 1.21\n")
    (module / "main.go").write_text(f'package main\n\nfunc main() {{ println("{says}") }}\n')


def cached_go_build(module: Path, out: Path, inputs: str) -> subprocess.Popen[str]:
    script = f'source "{TOOLS / "lib.sh"}"; cached_go_build "$1" "$2" says "$3" -trimpath .'
    return subprocess.Popen(
        ["bash", "-euc", script, "build", str(module), str(out), inputs],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "GOTOOLCHAIN": "local"},
    )


def finish(build: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = build.communicate(timeout=300)
    return build.returncode, out, err


def says(program: Path) -> str:
    return subprocess.run(
        [str(program)], capture_output=True, text=True, check=True
    ).stderr.strip()  # Go's println writes to stderr


@pytest.mark.skipif(shutil.which("go") is None, reason="needs Go")
def test_cached_go_build_builds_once_reuses_and_rebuilds_on_new_inputs(tmp_path: Path) -> None:
    module, out = tmp_path / "module", tmp_path / "cache" / "bin"
    go_program(module, "one")

    first, second = (
        cached_go_build(module, out, "inputs-1"),
        cached_go_build(module, out, "inputs-1"),
    )
    results = [finish(first), finish(second)]
    assert [code for code, _, _ in results] == [0, 0], results
    assert [out for _, out, _ in results] == ["", ""], "nothing on stdout"
    logs = "".join(err for _, _, err in results)
    assert logs.count("building says") == 1, logs
    assert says(out / "says") == "one"
    assert (out / ".complete").read_text() == "inputs-1\n"
    built = (out / "says").stat()

    code, _, err = finish(cached_go_build(module, out, "inputs-1"))
    assert (code, err) == (0, "")
    assert (out / "says").stat().st_ino == built.st_ino, "reused, not rebuilt"

    go_program(module, "two")
    code, _, err = finish(cached_go_build(module, out, "inputs-2"))
    assert code == 0 and "building says" in err, err
    assert says(out / "says") == "two"
    assert (out / "says").stat().st_ino != built.st_ino, "a new file renamed into place"
    assert sorted(p.name for p in out.iterdir()) == [".complete", ".lock", "says"]

    (module / "main.go").write_text("package main\n\nfunc main() { not go }\n")
    code, _, err = finish(cached_go_build(module, out, "inputs-3"))
    assert code != 0 and "failed" in err, err
    assert says(out / "says") == "two", "the last good build stays"
    assert not (out / ".complete").exists(), "so that the next call builds again"
    assert sorted(p.name for p in out.iterdir()) == [".lock", "says"], "no temporary file left"


HOSTS = (
    "pulumi-language-python",
    "pulumi-language-python-exec",
    "pulumi-resource-pulumi-python",
    "pulumi-language-nodejs",
    "pulumi-language-go",
    "pulumi-language-yaml",
)


def pulumi_cli(tmp_path: Path, path: str) -> subprocess.CompletedProcess[str]:
    """tools/pulumi-cli.sh of a checkout with no ../shared beside it, with PATH ``path``."""
    checkout = tmp_path / "project"
    if not checkout.exists():
        shutil.copytree(TOOLS, checkout / "tools")
    return subprocess.run(
        ["bash", str(checkout / "tools" / "pulumi-cli.sh")],
        capture_output=True,
        text=True,
        env={"PATH": path, "HOME": str(tmp_path), "NODE_PULUMI_CACHE": str(tmp_path / "cache")},
        timeout=60,
        check=False,
    )


def installed_pulumi(directory: Path, *commands: str) -> Path:
    """Stand-ins for an installed Pulumi: each command exits 0."""
    directory.mkdir(parents=True)
    for name in commands:
        (directory / name).write_text("#!/bin/sh\nexit 0\n")
        (directory / name).chmod(0o755)
    return directory


def test_pulumi_cli_uses_an_installed_pulumi_with_its_hosts_as_it_is(tmp_path: Path) -> None:
    installed = installed_pulumi(tmp_path / "pulumi" / "bin", "pulumi", *HOSTS)
    result = pulumi_cli(tmp_path, f"{installed}:{BARE_PATH}")
    assert (result.returncode, result.stdout) == (0, f"{installed}\n"), result
    assert list((tmp_path / "cache").iterdir()) == [], "nothing built"


def test_pulumi_cli_passes_over_a_pulumi_without_its_hosts(tmp_path: Path) -> None:
    installed = installed_pulumi(tmp_path / "pulumi" / "bin", "pulumi", *HOSTS[:3])
    result = pulumi_cli(tmp_path, f"{installed}:{BARE_PATH}")
    assert result.returncode == 1, result
    assert (
        f"not using {installed}/pulumi: pulumi-language-nodejs pulumi-language-go "
        "pulumi-language-yaml neither beside it nor on PATH" in result.stderr
    )


def test_pulumi_cli_says_what_to_install_when_there_is_neither_pulumi_nor_shared(
    tmp_path: Path,
) -> None:
    cache = tmp_path / "cache"
    result = pulumi_cli(tmp_path, BARE_PATH)
    assert result.returncode == 1, result
    assert result.stdout == ""
    assert "curl -fsSL https://get.pulumi.com | sh" in result.stderr
    for host in HOSTS:
        assert host in result.stderr
    assert f"{tmp_path}/shared/pulumi-hosts" in result.stderr
    assert list(cache.iterdir()) == [], "nothing built"


def test_pulumi_cli_without_shared_reuses_the_hosts_cached_beside_the_cli_yaml_included(
    tmp_path: Path,
) -> None:
    """A fresh clone in a scratch folder (no ../shared) takes the hosts an earlier run copied
    beside the cached CLI, Pulumi YAML's among them; with that one missing it takes none."""
    (version,) = re.findall(
        r"github.com/pulumi/pulumi/pkg/v3 (v\S+)", (TOOLS / "pulumi-cli" / "go.mod").read_text()
    )
    cached = installed_pulumi(tmp_path / "cache" / f"pulumi-{version}-hosts" / "bin", *HOSTS[:-1])
    result = pulumi_cli(tmp_path, BARE_PATH)
    assert result.returncode == 1, result
    assert "using the language hosts cached" not in result.stderr
    assert "pulumi-language-yaml" in result.stderr and "get.pulumi.com" in result.stderr

    installed_pulumi(tmp_path / "yaml", "pulumi-language-yaml")
    (tmp_path / "yaml" / "pulumi-language-yaml").rename(cached / "pulumi-language-yaml")
    result = pulumi_cli(tmp_path, BARE_PATH)
    assert result.returncode == 1, result  # no Go on this PATH to build the CLI
    assert f"using the language hosts cached beside the CLI in {cached}" in result.stderr
    assert "Go is needed" in result.stderr
