"""The wheel and the sdist: built with `python -m build`, checked by twine and by what they hold."""

from __future__ import annotations

import email
import json
import sys
import tarfile
import zipfile
from email.message import Message
from pathlib import Path

from .common import ROOT, fail, run, tested_pythons, tracked_files


def build(out: Path) -> tuple[Path, Path]:
    """The sdist, then the wheel from it, into ``out``; return (sdist, wheel)."""
    run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)])
    (sdist,) = out.glob("node_pulumi-*.tar.gz")
    (wheel,) = out.glob("node_pulumi-*.whl")
    return sdist, wheel


def twine_check(*paths: Path) -> None:
    run([sys.executable, "-m", "twine", "check", "--strict", *map(str, paths)])


def check_metadata(wheel: Path, version: str) -> None:
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        meta: Message = email.message_from_string(archive.read(name).decode())
    pythons = tested_pythons()
    oldest = min(pythons, key=lambda v: tuple(map(int, v.split("."))))
    expected = {
        "Name": "node-pulumi",
        "Version": version,
        "License-Expression": "Apache-2.0",
        "License-File": "LICENSE",
        # The oldest Python noxfile.py tests.
        "Requires-Python": f">={oldest}",
        "Description-Content-Type": "text/markdown",
    }
    for field, value in expected.items():
        if meta.get(field) != value:
            raise fail(f"wheel METADATA {field}: {meta.get(field)!r}, expected {value!r}")
    for field in ("Summary", "Keywords", "Author"):
        if not meta.get(field):
            raise fail(f"wheel METADATA has no {field}")
    urls = {u.split(",", 1)[0] for u in meta.get_all("Project-URL") or []}
    if not {"Homepage", "Repository", "Issues", "Changelog"} <= urls:
        raise fail(f"wheel METADATA Project-URL: {sorted(urls)}")
    classifiers = meta.get_all("Classifier") or []
    for wanted in ("License :: ", "Typing :: Typed", "Programming Language :: Python :: 3"):
        present = any(c.startswith(wanted) for c in classifiers)
        # PEP 639: the license is the License-Expression; a license classifier is refused.
        if present != (wanted != "License :: "):
            raise fail(f"wheel METADATA classifiers: {classifiers}")
    versions = {
        c.rsplit(" :: ", 1)[1]
        for c in classifiers
        if c.startswith("Programming Language :: Python :: 3.")
    }
    if versions != set(pythons):
        raise fail(f"the classifiers name Python {sorted(versions)}, noxfile.py tests {pythons}")
    body = meta.get_payload()
    assert isinstance(body, str)
    if body.strip() != (ROOT / "README.md").read_text().strip():
        raise fail("the wheel's long description is not README.md")


def check_wheel_contents(wheel: Path, version: str) -> None:
    """Every module, py.typed, the sandbox, the license, both commands, and pulumi-plugin.json
    naming the plugin at this version (what Pulumi's Python host reports to the engine)."""
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        entry_points = archive.read(f"node_pulumi-{version}.dist-info/entry_points.txt").decode()
        plugin = json.loads(archive.read("node_pulumi/pulumi-plugin.json"))
    modules = {str(p.relative_to(ROOT)) for p in (ROOT / "node_pulumi").rglob("*.py")}
    missing = modules - names
    if missing:
        raise fail(f"the wheel lacks {sorted(missing)}")
    for needed in (
        "node_pulumi/py.typed",
        "node_pulumi/sandbox/__main__.py",
        f"node_pulumi-{version}.dist-info/licenses/LICENSE",
    ):
        if needed not in names:
            raise fail(f"the wheel lacks {needed}")
    for entry in (
        "pulumi-resource-node = node_pulumi._plugin:main",
        "node-pulumi = node_pulumi._cli:run",
    ):
        if entry not in entry_points:
            raise fail(f"the wheel's entry points lack {entry.split()[0]}:\n{entry_points}")
    if plugin.get("version") != version or plugin.get("name") != "node" or not plugin["resource"]:
        raise fail(f"the wheel's node_pulumi/pulumi-plugin.json: {plugin}")
    if not str(plugin.get("server", "")).startswith("github://"):
        raise fail(f"the wheel's pulumi-plugin.json names no download server: {plugin}")
    strays = [n for n in names if not n.startswith(("node_pulumi/", "node_pulumi-"))]
    if strays:
        raise fail(f"the wheel carries files outside the package: {sorted(strays)}")


def check_sdist_contents(sdist: Path, version: str) -> None:
    """The sdist is the whole tracked tree (MANIFEST.in) plus what setuptools generates."""
    prefix = f"node_pulumi-{version}/"
    with tarfile.open(sdist) as archive:
        names = {m.name.removeprefix(prefix) for m in archive.getmembers() if m.isfile()}
    generated = {"PKG-INFO", "setup.cfg"} | {
        n for n in names if n.startswith("node_pulumi.egg-info/")
    }
    tracked = tracked_files()
    missing, extra = tracked - names, names - tracked - generated
    if missing:
        raise fail(f"the sdist lacks tracked files (add them to MANIFEST.in): {sorted(missing)}")
    if extra:
        raise fail(f"the sdist carries untracked files: {sorted(extra)}")
