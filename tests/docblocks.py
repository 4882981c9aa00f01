"""The fenced code blocks of the README and docs/, with the check each one asks for.

A block may be preceded by an HTML comment that says how it is checked (invisible on GitHub and
in the built site):

- ``<!-- doc-test: run -->``: run it (shell: in a scratch Pulumi stack; Python: as a Pulumi
  program under the SDK's mocks);
- ``<!-- doc-test: excerpt PATH -->``: each of its lines begins a line of the file PATH, in
  order (an excerpt of an example that CI compiles or runs);
- ``<!-- doc-test: lifecycle NAME -->``: a lifecycle test runs it (``NAME`` names the test);
- ``<!-- doc-test: signature OBJECT... -->``: a call's signature, the same as each Python
  ``OBJECT``'s (parameter names, kinds and defaults);
- ``<!-- doc-test: skip REASON -->``: only its syntax is checked, for the reason given.

Unmarked blocks get the default check of their language (see tests/test_docs.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]

_FENCE = re.compile(r"^(?P<indent> *)(?P<fence>```+|~~~+)(?P<info>[^`]*)$")
_MARK = re.compile(
    r"^<!-- doc-test: (?P<kind>run|excerpt|lifecycle|signature|skip)\b ?(?P<arg>.*?) ?-->$"
)


@dataclass(frozen=True)
class Block:
    page: Path
    line: int  # 1-based line of the opening fence
    lang: str
    code: str
    mark: str | None  # run, excerpt, lifecycle, signature, skip or None
    arg: str

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def blocks(page: Path) -> list[Block]:
    """Every fenced block of ``page``, with the doc-test mark on the line before it, if any."""
    lines = page.read_text().splitlines()
    found: list[Block] = []
    i = 0
    while i < len(lines):
        opening = _FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        indent, fence = opening["indent"], opening["fence"]
        start = i
        body: list[str] = []
        i += 1
        while i < len(lines) and lines[i].strip() != fence:
            body.append(lines[i][len(indent) :] if lines[i].startswith(indent) else lines[i])
            i += 1
        previous = next((ln.strip() for ln in reversed(lines[:start]) if ln.strip()), "")
        mark = _MARK.match(previous)
        found.append(
            Block(
                page=page,
                line=start + 1,
                lang=opening["info"].strip().split(" ")[0],
                code="\n".join(body) + "\n",
                mark=mark["kind"] if mark else None,
                arg=mark["arg"] if mark else "",
            )
        )
        i += 1
    return found


def all_blocks() -> list[Block]:
    return [b for page in PAGES for b in blocks(page)]


def marked(page: Path, kind: str, arg: str) -> list[Block]:
    """The blocks of ``page`` marked ``<!-- doc-test: KIND ARG -->``, in order."""
    return [b for b in blocks(page) if b.mark == kind and b.arg == arg]
