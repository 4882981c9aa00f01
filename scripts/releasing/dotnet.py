"""The NuGet package of the C# SDK, packed where a .NET SDK is present (there is none on the
machines this project's CI runs on; the release workflow sets one up)."""

from __future__ import annotations

import shutil
from pathlib import Path

from .common import ROOT, log, run


def build_nuget(out: Path, work: Path) -> Path | None:
    """`dotnet pack` a copy of sdk/dotnet into ``out``; None, said in the output, without .NET."""
    if shutil.which("dotnet") is None:
        log("C#/NuGet: left out, no .NET SDK here (the release workflow packs and publishes it)")
        return None
    copy = work / "dotnet-sdk"
    shutil.copytree(ROOT / "sdk" / "dotnet", copy)
    before = set(out.glob("*.nupkg"))
    run(["dotnet", "pack", str(copy), "--configuration", "Release", "--output", str(out)])
    (package,) = set(out.glob("*.nupkg")) - before
    return package
