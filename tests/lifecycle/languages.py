"""The example program of each language (examples/python, typescript, go, yaml), as the language
suite (test_languages.py) makes stacks of them.

Each example is the same program: a snapshot of server 12345 whose trigger is the config's
`release`, a schedule `nightly` of that server and, but in YAML, a look-up of the server's
snapshots made once the snapshot exists; the same output names in every language.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from filelock import FileLock

from .conftest import EXAMPLES, missing
from .stack import Stack, new_stack, project_stack

ROOT = Path(__file__).parents[2]
Language = Literal["python", "typescript", "go", "yaml"]


@dataclass(frozen=True)
class Example:
    language: Language
    runtime: str
    project: str  # the name in the example's Pulumi.yaml: its config's namespace
    lookup: bool  # whether it looks the server's snapshots up (exports `snapshotIds`)
    tools: tuple[str, ...]  # what the language host needs on PATH

    @property
    def program(self) -> Path:
        return EXAMPLES / self.language

    def stack(self, cli_dir: Path, workdir: Path, *, virtualenv: Path | None = None) -> Stack:
        """A new stack `dev` of the example, with no node.co.id settings.

        TypeScript, Go and Python run where they are (with their node_modules, go.mod's replace
        of the SDK, or ``virtualenv``); YAML, whose Pulumi.yaml is the program, is copied.
        """
        for tool in self.tools:
            if shutil.which(tool) is None:
                missing(f"no {tool}: the {self.language} example needs it")
        host = f"pulumi-language-{self.runtime}"
        if not (cli_dir / host).exists() and shutil.which(host) is None:
            missing(f"no {host}: `bash tools/pulumi-cli.sh` puts Pulumi's hosts beside pulumi")
        if self.language == "typescript":
            typescript_installed()
        if self.language == "yaml":
            return new_stack(cli_dir, workdir, self.program, self.project, yaml=True)
        return project_stack(
            cli_dir, workdir, self.program, self.project, self.runtime, virtualenv=virtualenv
        )


EXAMPLES_BY_LANGUAGE: dict[str, Example] = {
    e.language: e
    for e in (
        Example("python", "python", "snapshots-python", True, ()),
        Example("typescript", "nodejs", "snapshots-typescript", True, ("node", "npm")),
        Example("go", "go", "snapshots-go", True, ("go",)),
        Example("yaml", "yaml", "yaml-snapshots", False, ()),
    )
}


def typescript_installed() -> Path:
    """examples/typescript's node_modules: what tools/check-sdk.sh installs (.ci/run runs it
    first); installed here with the same step when missing, under a lock that the xdist workers
    of every run from this checkout share (two `npm install`s into one folder would clash)."""
    modules = EXAMPLES / "typescript" / "node_modules"
    installed = modules / "@node-pulumi" / "node" / "index.js"
    checkout = hashlib.sha256(str(ROOT).encode()).hexdigest()[:12]
    with FileLock(Path(tempfile.gettempdir()) / f"node-pulumi-{checkout}-typescript.lock"):
        if not installed.exists():
            subprocess.run(["bash", str(ROOT / "tools" / "check-sdk.sh"), "typescript"], check=True)
    return modules
