"""The plugin's release tarballs: `pulumi-resource-node-v<version>-<os>-<arch>.tar.gz`.

Each is the package folder `provider/` (PulumiPlugin.yaml, __main__.py) with the wheel inside and
a requirements.txt naming that wheel, so that `pulumi plugin install` unpacks it and Pulumi's
Python host builds its virtualenv with node-pulumi at exactly that version (its dependencies come
from the package index). The plugin is pure Python: the six tarballs hold the same files, named
as Pulumi names assets per platform. They are reproducible: sorted, with fixed owners, modes and
times, so the same wheel gives the same checksums.

    from scripts.releasing.plugin import build_plugin_tarballs
    tarballs = build_plugin_tarballs(wheel, out_dir)   # -> the six paths
"""

from __future__ import annotations

import gzip
import hashlib
import io
import re
import tarfile
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROVIDER = ROOT / "provider"
NAME = "node"
OSES = ("linux", "darwin", "windows")
ARCHES = ("amd64", "arm64")
PLATFORMS = tuple((os_, arch) for os_ in OSES for arch in ARCHES)
# Copied from provider/ as they are; requirements.txt is written for the wheel.
FOLDER_FILES = ("PulumiPlugin.yaml", "__main__.py")
MTIME = 315532800  # 1980-01-01, the zip epoch: a fixed time makes the tarballs reproducible
WHEEL = re.compile(r"node_pulumi-(?P<version>[^-]+)-py3-none-any\.whl")


def tarball_name(version: str, os_: str, arch: str) -> str:
    """Pulumi's asset name for a resource plugin (what `plugin install` asks a server for)."""
    return f"pulumi-resource-{NAME}-v{version}-{os_}-{arch}.tar.gz"


def checksums_name(version: str) -> str:
    """The checksums file beside the tarballs (goreleaser's name, as Pulumi's providers use)."""
    return f"pulumi-resource-{NAME}_{version}_checksums.txt"


def wheel_version(wheel: Path) -> str:
    match = WHEEL.fullmatch(wheel.name)
    if match is None:
        raise ValueError(f"not a node-pulumi wheel: {wheel.name}")
    return match["version"]


def requirements(wheel: Path) -> str:
    """requirements.txt of a tarball: the wheel beside it (pip runs in the plugin's folder)."""
    return (
        f"# node-pulumi {wheel_version(wheel)}, the wheel in this folder; its dependencies come\n"
        "# from the package index. Pulumi's Python host installs it into ./venv.\n"
        f"./{wheel.name}\n"
    )


def folder_files(wheel: Path) -> dict[str, bytes]:
    """The files of the plugin's folder, by name."""
    files = {name: (PROVIDER / name).read_bytes() for name in FOLDER_FILES}
    files["requirements.txt"] = requirements(wheel).encode()
    files[wheel.name] = wheel.read_bytes()
    return files


def _tar_gz(files: dict[str, bytes]) -> bytes:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for name in sorted(files):
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(files[name]), MTIME, 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            archive.addfile(info, io.BytesIO(files[name]))
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", mtime=MTIME, filename="") as zipped:
        zipped.write(raw.getvalue())
    return out.getvalue()


def build_plugin_tarballs(
    wheel: Path, out: Path, platforms: Iterable[tuple[str, str]] = PLATFORMS
) -> list[Path]:
    """Write the plugin's tarball for each (os, arch) into ``out``; return their paths."""
    version = wheel_version(wheel)
    data = _tar_gz(folder_files(wheel))
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for os_, arch in platforms:
        path = out / tarball_name(version, os_, arch)
        path.write_bytes(data)
        paths.append(path)
    return paths


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_checksums(paths: Iterable[Path], out: Path) -> Path:
    """`sha256sum` lines (`<hex>  <name>`) for the files, sorted by name, into ``out``."""
    lines = [f"{sha256(p)}  {p.name}\n" for p in sorted(paths, key=lambda p: p.name)]
    out.write_text("".join(lines))
    return out


def verify_checksums(checksums: Path) -> list[str]:
    """What is wrong with the files a checksums file names (beside it): [] when all match."""
    problems = []
    for line in checksums.read_text().splitlines():
        digest, name = line.split("  ", 1)
        path = checksums.parent / name
        if not path.is_file():
            problems.append(f"{name}: missing")
        elif sha256(path) != digest:
            problems.append(f"{name}: sha256 {sha256(path)}, the checksums file says {digest}")
    return problems
