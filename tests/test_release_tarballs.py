"""The plugin's release tarballs as scripts/releasing/plugin.py builds them (for the release and
the lifecycle tests): Pulumi's asset names for six platforms, the package folder with the wheel
and a requirements.txt naming it, the same bytes from the same wheel, and checksums that catch a
changed or missing file. The real CLI installs one in `scripts/release.py`'s dry run."""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest

from scripts.releasing.plugin import (
    build_plugin_tarballs,
    checksums_name,
    verify_checksums,
    write_checksums,
)

ROOT = Path(__file__).parents[1]


@pytest.fixture
def wheel(tmp_path: Path) -> Path:
    path = tmp_path / "node_pulumi-9.8.7-py3-none-any.whl"
    path.write_bytes(b"not really a wheel")
    return path


def test_six_platforms_named_as_pulumi_asks_each_the_package_folder(
    wheel: Path, tmp_path: Path
) -> None:
    tarballs = build_plugin_tarballs(wheel, tmp_path / "out")
    assert sorted(t.name for t in tarballs) == sorted(
        f"pulumi-resource-node-v9.8.7-{os_}-{arch}.tar.gz"
        for os_ in ("linux", "darwin", "windows")
        for arch in ("amd64", "arm64")
    )
    with tarfile.open(tarballs[0]) as archive:
        assert sorted(archive.getnames()) == [
            "PulumiPlugin.yaml",
            "__main__.py",
            wheel.name,
            "requirements.txt",
        ]
        files = {m.name: archive.extractfile(m) for m in archive.getmembers()}
        content = {name: f.read() for name, f in files.items() if f is not None}
    for name in ("PulumiPlugin.yaml", "__main__.py"):
        assert content[name] == (ROOT / "provider" / name).read_bytes()
    assert content[wheel.name] == wheel.read_bytes()
    requirements = content["requirements.txt"].decode()
    lines = [line for line in requirements.splitlines() if not line.startswith("#")]
    assert lines == [f"./{wheel.name}"]


def test_the_same_wheel_gives_the_same_bytes(wheel: Path, tmp_path: Path) -> None:
    first = build_plugin_tarballs(wheel, tmp_path / "a", [("linux", "amd64")])
    second = build_plugin_tarballs(wheel, tmp_path / "b", [("linux", "amd64")])
    assert first[0].read_bytes() == second[0].read_bytes()


def test_checksums_catch_a_changed_or_missing_file(wheel: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    tarballs = build_plugin_tarballs(wheel, out)
    checksums = write_checksums(tarballs, out / checksums_name("9.8.7"))
    assert checksums.name == "pulumi-resource-node_9.8.7_checksums.txt"
    assert verify_checksums(checksums) == []
    tarballs[0].write_bytes(b"tampered")
    tarballs[1].unlink()
    problems = verify_checksums(checksums)
    assert len(problems) == 2
    assert any(p.startswith(f"{tarballs[0].name}: sha256") for p in problems)
    assert f"{tarballs[1].name}: missing" in problems


def test_only_a_node_pulumi_wheel_is_taken(tmp_path: Path) -> None:
    other = tmp_path / "requests-2.0.0-py3-none-any.whl"
    other.write_bytes(b"")
    with pytest.raises(ValueError, match="not a node-pulumi wheel"):
        build_plugin_tarballs(other, tmp_path / "out")
