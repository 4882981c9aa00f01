"""The release, built and checked locally: every artifact a `v*` tag publishes, checked as a
user gets it. CI runs it (`.ci/run`), and so does the release workflow before publishing.

    python scripts/release.py --out DIR [--tag vX.Y.Z] [--keep]

Into DIR (new or empty), at node_pulumi.__version__:

- node_pulumi-<v>-py3-none-any.whl and node_pulumi-<v>.tar.gz (PyPI);
- node-pulumi-node-<v>.tgz, the TypeScript SDK (npm);
- pulumi-resource-node-v<v>-<os>-<arch>.tar.gz for linux, darwin, windows x amd64, arm64, the
  plugin (GitHub release; scripts/releasing/plugin.py);
- NodePulumi.Node.<v>.nupkg where a .NET SDK is present (NuGet);
- pulumi-resource-node_<v>_checksums.txt, the sha256 of each of them.

Then it checks: twine check --strict and the wheel's and sdist's metadata and contents; the npm
tarball's contents and its install into a fresh TypeScript program; the Go SDK building alone;
the tarball of this machine's platform installed by the real CLI from a local HTTP server into
an empty PULUMI_HOME, and its schema; the wheel installed into a fresh virtualenv and run
(examples/basic, a native program, `node-pulumi restore`) through the real CLI; the checksums.

Needs the dev tools (`pip install -e .[dev]`: build, twine), Node.js with npm, Go, the Pulumi
CLI with its language hosts ($NODE_PULUMI_CLI_DIR or tools/pulumi-cli.sh), and the package
indexes (PyPI, npm, the Go module proxy) for dependencies; their caches serve them once fetched.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

from releasing import cli_install, golang, installed, npm, python_dist
from releasing.common import fail, log, phase, source_version
from releasing.dotnet import build_nuget
from releasing.plugin import (
    build_plugin_tarballs,
    checksums_name,
    verify_checksums,
    write_checksums,
)


def plugin_declaration(version: str) -> dict[str, object]:
    """What every package declares to the engine: the plugin, its version and download URL (as
    in the wheel's pulumi-plugin.json)."""
    from node_pulumi._plugin.schema import plugin_json

    declared = json.loads(plugin_json(version))
    assert isinstance(declared, dict)
    return declared


def build_all(out: Path, work: Path) -> dict[str, list[Path]]:
    """Every artifact into ``out``, by kind."""
    with phase("python -m build (sdist, then the wheel from it)"):
        sdist, wheel = python_dist.build(out)
    with phase("the npm package (tsc, npm pack)"):
        npm_tarball = npm.build_npm(out, work)
    with phase("the plugin tarballs"):
        tarballs = build_plugin_tarballs(wheel, out)
    with phase("the NuGet package"):
        nuget = build_nuget(out, work)
    return {
        "python": [wheel, sdist],
        "npm": [npm_tarball],
        "plugin": tarballs,
        "nuget": [nuget] if nuget else [],
    }


def check_all(out: Path, work: Path, version: str, built: dict[str, list[Path]]) -> None:
    wheel, sdist = built["python"]
    (npm_tarball,) = built["npm"]
    plugin = plugin_declaration(version)
    with phase("twine check --strict; the wheel's and sdist's metadata and contents"):
        python_dist.twine_check(sdist, wheel)
        python_dist.check_metadata(wheel, version)
        python_dist.check_wheel_contents(wheel, version)
        python_dist.check_sdist_contents(sdist, version)
    with phase(f"{npm_tarball.name}: contents, and installed into a fresh TypeScript program"):
        npm.check_npm_contents(npm_tarball, version, plugin)
        npm.check_npm_install(npm_tarball, work, version)
    with phase(f"the Go SDK, alone, as module tag {golang.module_tag(version)} gives it"):
        golang.check_go_sdk(work, version, plugin)
    with phase("a plugin tarball installed by the real CLI from a local HTTP server"):
        cli_install.check_cli_install(out, work / "cli", version, built["plugin"])
    with phase(f"{wheel.name} installed into a fresh virtualenv and run"):
        installed.check_installed_wheel(work / "wheel", wheel, version)
    with phase("the checksums"):
        problems = verify_checksums(out / checksums_name(version))
        if problems:
            raise fail("checksums: " + "; ".join(problems))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--out", type=Path, required=True, help="where the artifacts go")
    parser.add_argument("--tag", help="fail unless this is the version's tag (v<version>)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory")
    args = parser.parse_args()
    version = source_version()
    if args.tag is not None and args.tag != f"v{version}":
        raise fail(f"tag {args.tag} is not node_pulumi.__version__'s (v{version})")
    out: Path = args.out.resolve()
    if out.exists() and any(out.iterdir()):
        raise fail(f"{out} is not empty")
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="node-pulumi-release-"))
    start = time.monotonic()
    try:
        built = build_all(out, work)
        artifacts = [p for paths in built.values() for p in paths]
        write_checksums(artifacts, out / checksums_name(version))
        check_all(out, work, version, built)
        log(f"all passed in {time.monotonic() - start:.0f} s; in {out}:")
        for path in sorted(out.iterdir()):
            log(f"  {path.stat().st_size:>10,}  {path.name}")
    finally:
        if args.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
