"""The npm package of the TypeScript SDK: built from sdk/nodejs as tools/check-sdk.sh builds it
(tsc into bin/, with the manifest and README beside the output), packed with `npm pack`, then
checked for what it holds and installed into a fresh TypeScript program, as a user installs it."""

from __future__ import annotations

import json
import shutil
import tarfile
from pathlib import Path

from .common import ROOT, fail, run

SDK = ROOT / "sdk" / "nodejs"
NPM_QUIET = ["--no-audit", "--no-fund", "--loglevel=error", "--prefer-offline"]
# What the package may hold (under package/): compiled code, its types and maps, the manifest.
ALLOWED_SUFFIXES = (".js", ".d.ts", ".js.map", ".d.ts.map")
ALLOWED_FILES = {"package.json", "README.md"}
REQUIRED = {"package.json", "README.md", "index.js", "index.d.ts", "snapshot.js", "utilities.js"}


def manifest() -> dict[str, object]:
    data = json.loads((SDK / "package.json").read_text())
    assert isinstance(data, dict)
    return data


def build_npm(out: Path, work: Path) -> Path:
    """Compile a copy of sdk/nodejs and `npm pack` it into ``out``; return the tarball."""
    src = work / "npm-build"
    shutil.copytree(SDK, src, ignore=shutil.ignore_patterns("node_modules", "bin"))
    run(["npm", "ci", "--ignore-scripts", *NPM_QUIET], cwd=src)
    run(["npx", "--no-install", "tsc"], cwd=src)
    for name in ("package.json", "README.md"):
        shutil.copy(src / name, src / "bin" / name)
    before = set(out.glob("*.tgz"))
    run(["npm", "pack", "--pack-destination", str(out), *NPM_QUIET], cwd=src / "bin")
    (tarball,) = set(out.glob("*.tgz")) - before
    return tarball


def check_npm_contents(tarball: Path, version: str, plugin: dict[str, object]) -> None:
    """Only compiled code, types, maps, the manifest and the README; the manifest at this
    version, declaring the plugin (name, version, download server) to the engine."""
    with tarfile.open(tarball) as archive:
        names = {m.name for m in archive.getmembers() if m.isfile()}
        member = archive.extractfile("package/package.json")
        assert member is not None
        packed = json.load(member)
    outside = [n for n in names if not n.startswith("package/")]
    inside = {n.removeprefix("package/") for n in names} - set(outside)
    unexpected = sorted(
        n for n in inside if n not in ALLOWED_FILES and not n.endswith(ALLOWED_SUFFIXES)
    )
    if outside or unexpected:
        raise fail(f"{tarball.name} holds what it should not: {outside + unexpected}")
    if not REQUIRED <= inside:
        raise fail(f"{tarball.name} lacks {sorted(REQUIRED - inside)}")
    sources = [n for n in inside if n.endswith(".ts") and not n.endswith(".d.ts")]
    if sources:
        raise fail(f"{tarball.name} holds TypeScript sources: {sources}")
    if packed.get("version") != version or packed.get("pulumi") != plugin:
        raise fail(
            f"{tarball.name}'s package.json: version {packed.get('version')}, pulumi block "
            f"{packed.get('pulumi')}; expected {version} and {plugin}"
        )


PROGRAM = """\
import * as pulumi from "@pulumi/pulumi";
import * as node from "@node-pulumi/node";

const snapshot = new node.Snapshot("before-deploy", { serverId: "12345", triggers: ["v1"] });
const kept = new node.RotatingSnapshot("rotating", { serverId: "12345", keep: 3 });
export const snapshotId: pulumi.Output<string> = snapshot.snapshotId;
export const keptIds: pulumi.Output<string[]> = kept.snapshotIds;
"""


def check_npm_install(tarball: Path, work: Path, version: str) -> None:
    """A fresh TypeScript program installs the tarball (and @pulumi/pulumi from the registry)
    and compiles against it."""
    program = work / "ts-program"
    program.mkdir()
    deps = manifest()
    dependencies = deps["dependencies"]
    dev = deps["devDependencies"]
    assert isinstance(dependencies, dict) and isinstance(dev, dict)
    package = {
        "name": "release-check",
        "private": True,
        "main": "index.ts",
        "dependencies": {"@node-pulumi/node": f"file:{tarball}", **dependencies},
        "devDependencies": dev,
    }
    (program / "package.json").write_text(json.dumps(package, indent=2))
    compiler = {"strict": True, "target": "ES2022", "module": "commonjs", "noEmit": True}
    (program / "tsconfig.json").write_text(
        json.dumps({"compilerOptions": {**compiler, "types": ["node"]}, "files": ["index.ts"]})
    )
    (program / "index.ts").write_text(PROGRAM)
    run(["npm", "install", "--ignore-scripts", *NPM_QUIET], cwd=program)
    installed = program / "node_modules" / "@node-pulumi" / "node"
    if installed.is_symlink():
        raise fail("npm linked the package instead of installing the tarball")
    found = json.loads((installed / "package.json").read_text())["version"]
    if found != version:
        raise fail(f"the program installed @node-pulumi/node {found}, not {version}")
    run(["npx", "--no-install", "tsc", "-p", "."], cwd=program)
